/** SQS's visibility timeout limit: no single retry delay can be longer. */
export const MAX_DELAY_SECONDS = 43_200;

export interface RetryPolicy {
  /** Attempts before the job goes to the dead-letter queue (the queue's maxReceiveCount). */
  maxAttempts: number;
  /** Delay after failed attempt n is `delaysSeconds[n - 1]`; the last entry repeats. */
  delaysSeconds: number[];
}

/** About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 12 h: ten attempts over roughly 2.2 days. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 10,
  delaysSeconds: [5, 300, 1800, 7200, 18_000, 36_000, MAX_DELAY_SECONDS],
});

/** True when `attempt` (1-based) was the last one: a further failure sends the job to the DLQ. */
export function isLastAttempt(attempt: number, policy: RetryPolicy): boolean {
  return attempt >= policy.maxAttempts;
}

/**
 * Parses RETRY_DELAYS_SECONDS (`5,300,1800`): whole seconds from 0 to 43200, at least one.
 * Throws an error naming the variable and the bad entry.
 */
export function parseRetryDelays(text: string): number[] {
  const entries = text.split(',').map((entry) => entry.trim());
  if (text.trim() === '') {
    throw new Error('RETRY_DELAYS_SECONDS must list at least one delay in seconds, e.g. "5,300,1800"');
  }
  return entries.map((entry, index) => {
    if (!/^\d+$/.test(entry) || Number(entry) > MAX_DELAY_SECONDS) {
      throw new Error(
        `RETRY_DELAYS_SECONDS entry ${index + 1} ("${entry}") must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS}`,
      );
    }
    return Number(entry);
  });
}
