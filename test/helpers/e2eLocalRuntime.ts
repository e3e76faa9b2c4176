import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { freePort } from '../../infra/local/emulators/freePort';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SDK_CALL_RECORDER_PRELOAD = pathToFileURL(join(REPO_ROOT, 'test/iam/installSdkCallRecorder.ts')).href;

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
  /**
   * A signal (SIGTERM unless told) to the whole process group, as `kill -TERM -- -<pgid>` or Ctrl+C
   * would send it; SIGKILL if it lingers; resolves on exit.
   */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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

/**
 * Stops the runtime and checks nothing outlives it: neither the runtime process nor DynamoDB Local's
 * Java process (given up to 5 s to exit).
 */
export async function stopAndExpectNoOrphans(runtime: LocalRuntimeProcess): Promise<void> {
  const { javaPid, pid } = runtime;
  await runtime.stop();
  expect(isAlive(pid)).toBe(false);
  for (let i = 0; i < 50 && isAlive(javaPid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(javaPid).toBeGreaterThan(0);
  expect(isAlive(javaPid)).toBe(false);
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

/**
 * How the runtime is launched: `node` runs infra/local/main.ts as one node process (what `npm start`
 * runs) plus the test-only preload that records the functions' SDK calls for the IAM check;
 * `npm-start` runs `npm start` itself (npm, sh and node in one process group, as in a terminal), without
 * the recorder.
 */
export type LaunchCommand = 'node' | 'npm-start';

/** Starts the local runtime in its own process group, so stop() can signal everything it started. */
export function spawnLocalRuntime(
  env: Record<string, string | undefined>,
  command: LaunchCommand = 'node',
): ChildProcess {
  const main = join(REPO_ROOT, 'infra/local/main.ts');
  const [file, args] =
    command === 'npm-start'
      ? ['npm', ['start', '--silent']]
      : [process.execPath, ['--import', 'tsx', '--import', SDK_CALL_RECORDER_PRELOAD, main]];
  return spawn(file, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Messages of a start that lost a race for a port it had been told was free. */
const PORT_RACE = /is already in use|Address already in use|EADDRINUSE|BindException/;

/**
 * Starts the local runtime as a user would, on its own ports, and waits until `GET /openapi.json`
 * answers (the API listens last, so the pipeline is live). The API and SQS ports are 0 (the OS picks;
 * the banner says which); a start that lost a race for a "free" port is retried on new ones.
 */
export async function startLocalRuntimeProcess(
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  command: LaunchCommand = 'node',
): Promise<LocalRuntimeProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, timeoutMs, command);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortRaceError)) throw error;
    }
  }
}

class PortRaceError extends Error {
  override name = 'PortRaceError';
}

async function startOnce(
  env: Record<string, string>,
  timeoutMs: number,
  command: LaunchCommand,
): Promise<LocalRuntimeProcess> {
  const apiKey = `e2e-key-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const child = spawnLocalRuntime(
    {
      PORT: '0',
      DYNAMODB_PORT: String(await freePort()),
      SQS_PORT: '0',
      WEBHOOKS_API_KEY: apiKey,
      ...env,
    },
    command,
  );
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

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!hasExited) {
      process.kill(-child.pid!, signal);
      const timer = setTimeout(() => {
        if (!hasExited) process.kill(-child.pid!, 'SIGKILL');
      }, 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };

  const deadline = Date.now() + timeoutMs;
  let apiUrl: string | undefined;
  for (;;) {
    if (hasExited) {
      const message = `npm start exited before the API answered:\n${output}`;
      throw PORT_RACE.test(output) ? new PortRaceError(message) : new Error(message);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start: no answer from GET /openapi.json within ${timeoutMs} ms:\n${output}`);
    }
    // The banner is printed once the API listens.
    apiUrl ??= /^\s+API\s+(http:\/\/\S+)/m.exec(output)?.[1];
    const answered =
      apiUrl !== undefined &&
      (await fetch(`${apiUrl}/openapi.json`).then(
        () => true,
        () => false,
      ));
    if (answered) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const javaPid = Number(/Java pid (\d+)/.exec(output)?.[1] ?? -1);
  const dynamoDbEndpoint = /^\s+DynamoDB\s+(http:\/\/\S+)/m.exec(output)?.[1] ?? '';
  const dynamo = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });

  const baseUrl = apiUrl!;
  return {
    apiUrl: baseUrl,
    apiKey,
    dynamoDbEndpoint,
    javaPid,
    pid: child.pid!,
    dynamo,
    output: () => output,
    async api<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${baseUrl}${path}`, {
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
    async stop(signal?: NodeJS.Signals) {
      dynamo.destroy();
      return stop(signal);
    },
  };
}
