/** Whether a job delivers now or waits for the rate slot it was given. */

import { rateSlotWait } from './limitWait';

/**
 * What a job does with the rate slot it was given: deliver now when the slot has come (a slot even 1 ms
 * ahead waits: SQS delays are whole seconds, rounded up, so the job never starts early), else wait for
 * it carrying the slot as both `rateSlot` and `notBefore` (`holdsRateSlot`).
 */
export type RateSlotDecision =
  | { kind: 'now'; rateSlot: number }
  | { kind: 'wait'; rateSlot: number; notBefore: number; delaySeconds: number };

export function rateSlotDecision(slotMs: number, nowMs: number): RateSlotDecision {
  if (slotMs <= nowMs) return { kind: 'now', rateSlot: slotMs };
  const { delaySeconds } = rateSlotWait(slotMs, nowMs);
  return { kind: 'wait', rateSlot: slotMs, notBefore: slotMs, delaySeconds };
}
