import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators/freePort';
import { runRepoScript, spawnLocalRuntime } from '../helpers/e2eLocalRuntime';

/** Runs `npm start`'s entry point to completion and returns its exit code, output and duration. */
async function runToExit(env: Record<string, string>, timeoutMs = 30_000) {
  const startedAt = Date.now();
  const child = spawnLocalRuntime(env);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output, durationMs: Date.now() - startedAt };
}

describe('npm start fails fast with a message saying what to do', () => {
  let blocker: Server;
  let busyPort: number;

  beforeAll(async () => {
    busyPort = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('without Java on the PATH', async () => {
    const result = await runToExit({
      PATH: '/nonexistent',
      PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      SQS_PORT: String(await freePort()),
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('needs a Java runtime (17 or newer)');
    expect(result.output).toMatch(/apt-get install openjdk-17-jre-headless/);
    expect(result.output).not.toMatch(/\n\s+at /);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('with a busy port, naming the variable to change', async () => {
    const result = await runToExit({
      PORT: String(await freePort()),
      DYNAMODB_PORT: String(busyPort),
      SQS_PORT: String(await freePort()),
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(`port ${busyPort} (DynamoDB Local) is already in use`);
    expect(result.output).toContain(`DYNAMODB_PORT=${busyPort + 1}`);
    expect(result.output).not.toContain('Java pid');
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('with an invalid setting, naming the variable', async () => {
    const result = await runToExit({ PORT: 'eighty', DYNAMODB_PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.output).toContain('PORT: must be a port number from 0 to 65535');
  });

  it("checks the functions' settings too, before starting anything: one line per problem, no stack", async () => {
    const result = await runToExit({
      PORT: 'eighty',
      DYNAMODB_PORT: String(await freePort()),
      RETRY_DELAYS_SECONDS: '5,soon',
      REQUEST_TIMEOUT_MS: 'fast',
    });
    expect(result.code).toBe(1);
    const lines = result.output.trim().split('\n');
    expect(lines[0]).toBe('Invalid environment:');
    expect(lines.slice(1).sort()).toEqual([
      '  - PORT: must be a port number from 0 to 65535',
      '  - REQUEST_TIMEOUT_MS: must be a whole number from 100 to 900000',
      '  - RETRY_DELAYS_SECONDS entry 2 ("soon") must be a whole number of seconds from 0 to 604800',
    ]);
    expect(result.output).not.toContain('Java pid');
    expect(result.output).not.toMatch(/\n\s+at /);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('npm run demo without npm start running says to start it', async () => {
    const result = await runRepoScript('infra/local/demo.ts', {
      PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      WEBHOOKS_API_KEY: '',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('Start the local runtime first');
    expect(result.output).toContain('npm start');
  });
});
