/** The delivery function's rate limit, run by the simulation with the production rules. */

import { InProcessDeliveryLimiter } from '../../../shared/domain/limits/inProcessDeliveryLimiter';
import { rateSlotDecision } from '../../../shared/domain/limits/rateSlotDecision';
import { holdsRateSlot, slotIntervalMs } from '../../../shared/domain/limits/rateSlots';
import type { WebhookRateLimit } from './deliveryRules';

/**
 * The delivery function's rate limit, run by the simulation: the same rules as
 * functions/delivery/admitWithinLimits.ts (`holdsRateSlot`, `slotIntervalMs`, `reserveRateSlot` through
 * one limiter shared by every simulated container, as DynamoDB is on AWS, and `rateSlotDecision`).
 * `rateLimitOf` gives a webhook's `rateLimit` (undefined: none, and no limiter call). `writes` counts
 * the limiter's DynamoDB writes (one per reserved slot).
 */
export function productionRateLimit(
  rateLimitOf: (webhookId: number) => number | undefined,
  limiter = new InProcessDeliveryLimiter(),
): WebhookRateLimit & { readonly writes: number } {
  let writes = 0;
  return {
    admit(job, nowMs) {
      const rateLimit = rateLimitOf(job.webhookId);
      if (rateLimit === undefined || holdsRateSlot(job)) return { kind: 'attempt' };
      writes += 1;
      const slotMs = limiter.reserveRateSlotNow(String(job.webhookId), slotIntervalMs(rateLimit), nowMs);
      const decision = rateSlotDecision(slotMs, nowMs);
      return decision.kind === 'now'
        ? { kind: 'attempt' }
        : { kind: 'defer', untilMs: decision.notBefore, rateSlot: decision.rateSlot };
    },
    get writes() {
      return writes;
    },
  };
}
