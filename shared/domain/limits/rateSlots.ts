/**
 * The rate limit as slot reservations (the virtual-scheduling form of the generic cell rate
 * algorithm): the limiter keeps one number per webhook, `nextFreeSlotMs`, the earliest time the next
 * delivery may start. A job takes the slot `max(nextFreeSlotMs, now)` and moves it on by one
 * interval. A slot in the future is not a refusal: the job waits for it (a delayed SQS message) and
 * then delivers without asking again, so jobs over the limit are delayed, never dropped, and a burst
 * of N jobs is spread over N intervals in arrival order.
 */

/** Milliseconds between two slots, rounded up so the limit is never exceeded (3/s → 334 ms). */
export function slotIntervalMs(rateLimit: number): number {
  if (!(rateLimit > 0) || !Number.isFinite(rateLimit)) {
    throw new RangeError(`rateLimit must be a positive number, got ${rateLimit}`);
  }
  return Math.ceil(1000 / rateLimit);
}

export interface RateSlot {
  /** When this job may start (epoch ms); `nowMs` when the limiter was idle. */
  slotMs: number;
  /** The limiter's new `nextFreeSlotMs`. */
  nextFreeSlotMs: number;
}

/** Reserves the next slot. `nextFreeSlotMs` undefined: the webhook has no limiter state yet. */
export function reserveRateSlot(
  nextFreeSlotMs: number | undefined,
  nowMs: number,
  intervalMs: number,
): RateSlot {
  const slotMs = nextFreeSlotMs === undefined ? nowMs : Math.max(nextFreeSlotMs, nowMs);
  return { slotMs, nextFreeSlotMs: slotMs + intervalMs };
}

/**
 * Whether a received job already holds its slot. A job sent to wait for a slot carries it twice, as
 * `rateSlot` and as `notBefore`; a retry or an internal-error re-send sets a new `notBefore`, so a
 * stale `rateSlot` never lets a later attempt skip the limiter.
 */
export function holdsRateSlot(job: { rateSlot?: number; notBefore?: number }): boolean {
  return job.rateSlot !== undefined && job.rateSlot === job.notBefore;
}
