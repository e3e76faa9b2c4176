/**
 * Longest single retry delay accepted in the configuration. Waits no longer live as in-flight SQS
 * messages (they are chained 15-minute SQS delays, see `sqsDelay.ts`), so SQS's 12 h visibility limit
 * no longer bounds them; a week keeps a typo from parking a job for years.
 */
export const MAX_CONFIGURED_DELAY_SECONDS = 7 * 24 * 3600;

export interface RetryPolicy {
  /** Attempts before the job is dead-lettered (sent to the DLQ and the webhook's dead-letter index). */
  maxAttempts: number;
  /** Delay after failed attempt n is `delaysSeconds[n - 1]`; the last entry repeats. */
  delaysSeconds: number[];
  /**
   * Multiplies every computed delay (schedule, jitter, overload floor; not a receiver's Retry-After).
   * 1 in production; tests run the real table scaled down (RETRY_DELAY_SCALE).
   */
  scale?: number;
}

/** About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 12 h: ten attempts over roughly 2.2 days. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 10,
  delaysSeconds: [5, 300, 1800, 7200, 18_000, 36_000, 43_200],
});

/** True when `attempt` (1-based) was the last one: a further failure dead-letters the job. */
export function isLastAttempt(attempt: number, policy: RetryPolicy): boolean {
  return attempt >= policy.maxAttempts;
}

/**
 * Parses RETRY_DELAYS_SECONDS (`5,300,1800`): whole seconds from 0 to a week, at least one.
 * Throws an error naming the variable and the bad entry.
 */
export function parseRetryDelays(text: string): number[] {
  const entries = text.split(',').map((entry) => entry.trim());
  if (text.trim() === '') {
    throw new Error('RETRY_DELAYS_SECONDS must list at least one delay in seconds, e.g. "5,300,1800"');
  }
  return entries.map((entry, index) => {
    if (!/^\d+$/.test(entry) || Number(entry) > MAX_CONFIGURED_DELAY_SECONDS) {
      throw new Error(
        `RETRY_DELAYS_SECONDS entry ${index + 1} ("${entry}") must be a whole number of seconds from 0 to ${MAX_CONFIGURED_DELAY_SECONDS}`,
      );
    }
    return Number(entry);
  });
}
