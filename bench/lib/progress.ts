/** Progress lines on stderr. */

import type { Progress } from './types';

/** One line per stage on stderr, prefixed with the elapsed time, so stdout carries only the table. */
export function stderrProgress(startedAt = performance.now()): Progress {
  return {
    stage(message) {
      const seconds = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
      process.stderr.write(`[${seconds} s] ${message}\n`);
    },
  };
}
