/** Admits a job within its webhook's delivery limits (rate slot, concurrency lease), or makes it wait. */

import type { DeliveryJob } from '../../shared/domain/delivery/deliveryJob';
import { leaseExpiryMs } from '../../shared/domain/limits/concurrencyLeases';
import type { DeliveryLimiter } from '../../shared/domain/limits/deliveryLimiter';
import { type DeliveryLimits, isUnlimited } from '../../shared/domain/limits/deliveryLimits';
import { concurrencyWait } from '../../shared/domain/limits/limitWait';
import { rateSlotDecision } from '../../shared/domain/limits/rateSlotDecision';
import { holdsRateSlot, slotIntervalMs } from '../../shared/domain/limits/rateSlots';

/** Which limit made a job wait: the `cause` dimension of the `DelayedByLimit` metric. */
export type LimitCause = 'rate-limit' | 'concurrency-limit';

export type LimitAdmission =
  /** Make the request now, then `release()` (never rejects) as soon as it has ended. */
  | { kind: 'admitted'; release: () => Promise<void> }
  /** Re-send `job` with `delaySeconds`: same attempt, same delivery id, nothing dropped. */
  | { kind: 'wait'; cause: LimitCause; job: DeliveryJob; delaySeconds: number };

export interface LimitContext {
  limiter: DeliveryLimiter;
  nowMs: number;
  /** The attempt's request budget: a concurrency lease lasts this long plus a margin. */
  requestTimeoutMs: number;
  random: () => number;
  /** Told when a lease could not be given back (it then expires on its own). */
  onReleaseError: (error: unknown) => void;
}

const NOTHING_TO_RELEASE = async () => {};
const UNLIMITED: LimitAdmission = { kind: 'admitted', release: NOTHING_TO_RELEASE };

/**
 * Whether a job may make its request now under its webhook's `rateLimit` and `maxConcurrentDeliveries`.
 * A webhook with neither costs nothing: no limiter call, no await on I/O. Otherwise the rate slot comes
 * first (a job already holding one skips it), then a concurrency lease. A job that must wait keeps the
 * rate slot it reserved (carried as `rateSlot` = `notBefore`), so waiting for a lease never costs it
 * its turn. Limiter errors propagate: the caller re-sends the job without consuming an attempt.
 */
export async function admitWithinLimits(
  job: DeliveryJob,
  limits: DeliveryLimits,
  context: LimitContext,
): Promise<LimitAdmission> {
  if (isUnlimited(limits)) return UNLIMITED;
  const { limiter, nowMs } = context;
  let admitted = job;
  if (limits.rateLimit !== undefined && !holdsRateSlot(job)) {
    const slotMs = await limiter.reserveRateSlot(job.webhookId, slotIntervalMs(limits.rateLimit), nowMs);
    const decision = rateSlotDecision(slotMs, nowMs);
    // Either way the job now holds its slot: a wait for a lease below keeps it.
    admitted = { ...job, rateSlot: decision.rateSlot, notBefore: decision.rateSlot };
    if (decision.kind === 'wait') {
      return { kind: 'wait', cause: 'rate-limit', job: admitted, delaySeconds: decision.delaySeconds };
    }
  }
  if (limits.maxConcurrentDeliveries === undefined) return UNLIMITED;
  const lease = await limiter.acquireLease(
    job.webhookId,
    limits.maxConcurrentDeliveries,
    nowMs,
    leaseExpiryMs(nowMs, context.requestTimeoutMs),
  );
  if (lease.kind === 'full') {
    const { delaySeconds } = concurrencyWait(lease.earliestExpiryMs, nowMs, context.random);
    return { kind: 'wait', cause: 'concurrency-limit', job: admitted, delaySeconds };
  }
  return {
    kind: 'admitted',
    release: () => lease.release().catch(context.onReleaseError),
  };
}
