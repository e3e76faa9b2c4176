/**
 * The rate limit as slot reservations: the virtual-scheduling form of the generic cell rate algorithm
 * (GCRA, the token bucket written as one number). The limiter keeps one number per webhook,
 * `nextFreeSlotMs`: when it is idle again (GCRA's theoretical arrival time). A job gets the slot
 * `max(nextFreeSlotMs - tolerance, now)` and moves it on by one interval. The tolerance lets a quiet
 * webhook take up to one second's worth of deliveries at once (a bucket holding `rateLimit` tokens), so
 * traffic below the limit is not delayed by its own small bursts; a sustained excess is spread one
 * interval apart. A slot in the future is not a refusal: the job waits for it (a delayed SQS message)
 * and then delivers without asking again, so jobs over the limit are delayed, never dropped, in
 * arrival order.
 */

/** Milliseconds between two slots, rounded up so the limit is never exceeded (3/s → 334 ms). */
export function slotIntervalMs(rateLimit: number): number {
  if (!(rateLimit > 0) || !Number.isFinite(rateLimit)) {
    throw new RangeError(`rateLimit must be a positive number, got ${rateLimit}`);
  }
  return Math.ceil(1000 / rateLimit);
}

export interface RateSlot {
  /** When this job may start (epoch ms); `nowMs` when the limiter was idle or within its burst. */
  slotMs: number;
  /** The limiter's new `nextFreeSlotMs`. */
  nextFreeSlotMs: number;
}

/**
 * How far ahead of `nextFreeSlotMs` a job may still start: one second's worth of slots minus the one it
 * takes, so at most `rateLimit` deliveries start at once. Below one delivery per second, none: the
 * spacing is strict.
 */
export function burstToleranceMs(intervalMs: number): number {
  return Math.max(0, 1000 - intervalMs);
}

/**
 * The slot of a job that moved the limiter on from `previousNextFreeSlotMs` (what an atomic ADD of one
 * interval returns, minus that interval): never before `nowMs`.
 */
export function slotAfter(previousNextFreeSlotMs: number, nowMs: number, intervalMs: number): number {
  return Math.max(previousNextFreeSlotMs - burstToleranceMs(intervalMs), nowMs);
}

/** Reserves the next slot. `nextFreeSlotMs` undefined: the webhook has no limiter state yet. */
export function reserveRateSlot(
  nextFreeSlotMs: number | undefined,
  nowMs: number,
  intervalMs: number,
): RateSlot {
  const idleAt = nextFreeSlotMs === undefined ? nowMs : Math.max(nextFreeSlotMs, nowMs);
  return { slotMs: slotAfter(idleAt, nowMs, intervalMs), nextFreeSlotMs: idleAt + intervalMs };
}

/**
 * Whether a received job already holds its slot. A job sent to wait for a slot carries it twice, as
 * `rateSlot` and as `notBefore`; a retry or an internal-error re-send sets a new `notBefore`, so a
 * stale `rateSlot` never lets a later attempt skip the limiter.
 */
export function holdsRateSlot(job: { rateSlot?: number; notBefore?: number }): boolean {
  return job.rateSlot !== undefined && job.rateSlot === job.notBefore;
}

/** The job without its rate slot: for a job whose request used the slot and that is sent on again. */
export function withoutRateSlot<Job extends { rateSlot?: number }>(job: Job): Job {
  if (job.rateSlot === undefined) return job;
  const { rateSlot: _used, ...rest } = job;
  return rest as Job;
}
