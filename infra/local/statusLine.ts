/** The local runtime's counters line on the terminal. */

import { type CounterSnapshot, formatCounters } from './counters';

export interface StatusLine {
  stop(): void;
}

type Write = NodeJS.WriteStream['write'];

/**
 * Shows the counters: on a terminal, one line rewritten in place every `intervalMs` (other output, such
 * as the functions' logs, first clears it and it is drawn again below); otherwise (logs, CI, a test
 * harness reading stdout) a plain line whenever the figures changed, at most every 10 s.
 */
export function startStatusLine(
  refresh: () => Promise<CounterSnapshot>,
  output: NodeJS.WriteStream = process.stdout,
  intervalMs = 1_000,
  others: NodeJS.WriteStream[] = [process.stderr],
): StatusLine {
  const interactive = output.isTTY === true;
  let last = '';
  let lastPrintedAt = 0;
  let busy = false;
  let drawn = false;
  const writeStatus = output.write.bind(output) as (text: string) => boolean;
  const restores: (() => void)[] = [];

  if (interactive) {
    for (const stream of [output, ...others]) {
      const original = stream.write;
      const bound = original.bind(stream) as Write;
      stream.write = ((...args: Parameters<Write>) => {
        if (drawn) {
          writeStatus('\r\x1b[2K');
          drawn = false;
        }
        return bound(...args);
      }) as Write;
      restores.push(() => {
        stream.write = original;
      });
    }
  }

  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const line = formatCounters(await refresh());
      if (interactive) {
        writeStatus(`\r\x1b[2K${line}`);
        drawn = true;
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
      for (const restore of restores) restore();
      if (drawn) writeStatus('\n');
      drawn = false;
    },
  };
}
