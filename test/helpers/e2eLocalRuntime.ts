import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../infra/local/emulators/freePort';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface LocalRuntimeProcess {
  apiUrl: string;
  apiKey: string;
  dynamoDbEndpoint: string;
  /** DynamoDB Local's Java process, as printed by `npm start`. */
  javaPid: number;
  pid: number;
  /** A client for the runtime's DynamoDB Local, with credentials unrelated to the runtime's own. */
  dynamo: DynamoDBClient;
  output(): string;
  /** Calls the management API with the runtime's API key. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** SIGTERM to the whole process group (as Ctrl+C would), SIGKILL if it lingers; resolves on exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Is a process with this pid alive? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a TypeScript entry point of this repository (as `tsx` would) to completion. */
export async function runRepoScript(
  relativePath: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, relativePath)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

/** The command a user runs (`npm start` = tsx on infra/local/main.ts), as one node process. */
export function spawnLocalRuntime(env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra/local/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    // Its own process group, so stop() can signal everything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts the local runtime as a user would, on its own free ports, and waits until `GET /openapi.json`
 * answers (the API listens last, so the pipeline is live).
 */
export async function startLocalRuntimeProcess(
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<LocalRuntimeProcess> {
  const ports = { api: await freePort(), dynamo: await freePort(), sqs: await freePort() };
  const apiKey = `e2e-key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const child = spawnLocalRuntime({
    PORT: String(ports.api),
    DYNAMODB_PORT: String(ports.dynamo),
    SQS_PORT: String(ports.sqs),
    WEBHOOKS_API_KEY: apiKey,
    ...env,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const stop = async () => {
    if (!hasExited) {
      process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!hasExited) process.kill(-child.pid!, 'SIGKILL');
      }, 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };

  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) throw new Error(`npm start exited before the API answered:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start: no answer from ${apiUrl}/openapi.json within ${timeoutMs} ms:\n${output}`);
    }
    const answered = await fetch(`${apiUrl}/openapi.json`).then(
      () => true,
      () => false,
    );
    if (answered) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const javaPid = Number(/Java pid (\d+)/.exec(output)?.[1] ?? -1);
  const dynamoDbEndpoint = `http://127.0.0.1:${ports.dynamo}`;
  const dynamo = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });

  return {
    apiUrl,
    apiKey,
    dynamoDbEndpoint,
    javaPid,
    pid: child.pid!,
    dynamo,
    output: () => output,
    async api<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async stop() {
      dynamo.destroy();
      return stop();
    },
  };
}
