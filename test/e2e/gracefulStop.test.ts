import { describe, expect, it } from 'vitest';
import { isAlive, type LocalRuntimeProcess, startLocalRuntimeProcess } from '../helpers/e2eLocalRuntime';

/**
 * docs/local.md tells scripts to stop `npm start` with `kill -INT -- -<pgid>` (what Ctrl+C does): every
 * process of the group gets the signal. The runtime must take that as one request and stop gracefully,
 * not as a second Ctrl+C that skips the graceful stop.
 */
async function expectGracefulStop(
  runtime: LocalRuntimeProcess,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  expectedExit: { code: number | null; signal: NodeJS.Signals | null },
) {
  const output = runtime.output();
  expect(output.match(/SIGINT: stopping/g), output).toHaveLength(1);
  expect(output).not.toContain('again: exiting now');
  expect(output).toContain('Stopped.');
  expect(exit, output).toEqual(expectedExit);
  for (let i = 0; i < 50 && isAlive(runtime.javaPid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(runtime.javaPid).toBeGreaterThan(0);
  expect(isAlive(runtime.javaPid)).toBe(false);
}

describe('one SIGINT to the whole process group stops the local runtime gracefully', () => {
  it('npm start (npm, sh and node in one group)', async () => {
    const runtime = await startLocalRuntimeProcess({}, 90_000, 'npm-start');
    const exit = await runtime.stop('SIGINT');
    // The runtime exits 0; npm, which got the SIGINT too, then ends itself with that signal.
    await expectGracefulStop(runtime, exit, { code: null, signal: 'SIGINT' });
  }, 150_000);

  it('the same signal delivered twice (a wrapper relaying what the group got) is one request', async () => {
    const runtime = await startLocalRuntimeProcess({}, 90_000, 'node');
    const stopped = runtime.stop('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    try {
      process.kill(runtime.pid, 'SIGINT');
    } catch {
      // Already gone: nothing was relayed late enough to matter.
    }
    await expectGracefulStop(runtime, await stopped, { code: 0, signal: null });
  }, 150_000);
});
