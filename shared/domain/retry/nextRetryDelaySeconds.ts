/** The delay before the next attempt: the schedule, jitter, scale and the receiver's `Retry-After`. */

import { MAX_CONFIGURED_DELAY_SECONDS, type RetryPolicy } from './retryPolicy';

export const JITTER_RATIO = 0.2;
/** Minimum pause after a 429 or a timeout: the receiver is overloaded, hammering it does not help. */
const OVERLOAD_FLOOR_SECONDS = 60;

/** The scheduled delay after failed attempt `attempt` (1-based), before jitter and scale. */
export function baseDelaySeconds(attempt: number, policy: RetryPolicy): number {
  const delays = policy.delaysSeconds;
  if (delays.length === 0) return 0;
  const index = Math.min(Math.max(attempt, 1), delays.length) - 1;
  return Math.min(delays[index] ?? 0, MAX_CONFIGURED_DELAY_SECONDS);
}

/**
 * `Retry-After` as seconds from `now`: either delta-seconds or an HTTP date. Undefined when absent or
 * unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/**
 * Seconds until the next attempt, to the millisecond:
 * - the policy's delay for this attempt, ±20 % jitter so retries of a burst spread out;
 * - at least 60 s after a 429 or a timeout. With a policy whose delays are all shorter (tests use
 *   1 s), the floor shrinks to the policy's longest delay, so short test policies stay short;
 * - both multiplied by the policy's `scale` (1 in production);
 * - never earlier than a valid `Retry-After` (never scaled: it is the receiver's word), capped at
 *   the longest configurable delay (a week).
 * No SQS limit applies here: the wait is chained through 15-minute SQS delays (`sqsDelay.ts`).
 */
export function nextRetryDelaySeconds({
  attempt,
  policy,
  retryAfter,
  cause,
  now,
  random = Math.random,
}: {
  attempt: number;
  policy: RetryPolicy;
  retryAfter?: string;
  cause: string;
  now: Date;
  random?: () => number;
}): number {
  const scale = policy.scale ?? 1;
  const base = baseDelaySeconds(attempt, policy);
  let delay = base * (1 + (random() * 2 - 1) * JITTER_RATIO);
  if (cause === 'http-429' || cause === 'timeout') {
    delay = Math.max(delay, Math.min(OVERLOAD_FLOOR_SECONDS, Math.max(0, ...policy.delaysSeconds)));
  }
  delay *= scale;
  const requested = parseRetryAfter(retryAfter, now);
  if (requested !== undefined) delay = Math.max(delay, Math.min(requested, MAX_CONFIGURED_DELAY_SECONDS));
  return Math.max(0, Math.round(delay * 1000) / 1000);
}
