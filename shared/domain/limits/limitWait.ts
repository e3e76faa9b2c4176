/** How long a job over a webhook's delivery limits waits, and how (a delayed SQS message). */

import { hopDelaySeconds } from '../retry/sqsDelay';

/**
 * How a job over a limit waits: a new SQS message with `DelaySeconds` (whole seconds, at most 900:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchRequestEntry.html),
 * the same attempt number and delivery id. Nothing is dropped and no attempt is consumed.
 */
export interface LimitWait {
  /** Due time the job carries (`notBefore`); longer waits than 900 s are chained hops. */
  notBefore?: number;
  delaySeconds: number;
}

/** Waiting for a reserved rate slot: due exactly at the slot, which the job then holds. */
export function rateSlotWait(slotMs: number, nowMs: number): LimitWait {
  return { notBefore: slotMs, delaySeconds: hopDelaySeconds(slotMs, nowMs) };
}

/** Longest wait for a concurrency slot: leases are usually released long before they expire. */
export const MAX_CONCURRENCY_WAIT_SECONDS = 2;

/**
 * Waiting for a concurrency slot. A request usually ends (and releases its lease) long before the
 * lease would expire, so the job comes back after 1-2 s (random, so waiting jobs do not return in
 * lockstep), or at the earliest expiry when that is sooner. SQS's smallest non-zero delay is 1 s.
 */
export function concurrencyWait(earliestExpiryMs: number, nowMs: number, random: () => number): LimitWait {
  const untilExpiry = Math.ceil((earliestExpiryMs - nowMs) / 1000);
  const jittered = 1 + Math.floor(random() * MAX_CONCURRENCY_WAIT_SECONDS);
  return { delaySeconds: Math.max(1, Math.min(untilExpiry, jittered, MAX_CONCURRENCY_WAIT_SECONDS)) };
}
