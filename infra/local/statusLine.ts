import { type CounterSnapshot, formatCounters } from './counters';

export interface StatusLine {
  stop(): void;
}

/**
 * Shows the counters: on a terminal, one line rewritten in place every `intervalMs`; otherwise (logs,
 * CI, a test harness reading stdout) a plain line whenever the figures changed, at most every 10 s.
 */
export function startStatusLine(
  refresh: () => Promise<CounterSnapshot>,
  output: NodeJS.WriteStream = process.stdout,
  intervalMs = 1_000,
): StatusLine {
  const interactive = output.isTTY === true;
  let last = '';
  let lastPrintedAt = 0;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const line = formatCounters(await refresh());
      if (interactive) {
        output.write(`\r\x1b[2K${line}`);
      } else if (line !== last && Date.now() - lastPrintedAt >= 10_000) {
        output.write(`${new Date().toISOString()} ${line}\n`);
        lastPrintedAt = Date.now();
        last = line;
      }
    } catch {
      // The emulators are stopping; the next tick (if any) tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      if (interactive) output.write('\n');
    },
  };
}
