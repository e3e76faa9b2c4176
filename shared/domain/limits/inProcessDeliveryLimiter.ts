/** The delivery limiter's rules over in-memory state, for tests, benchmarks and the scale simulation. */

import { isLeaseLive, pickLeaseSlot } from './concurrencyLeases';
import type { DeliveryLimiter, LeaseAcquisition } from './deliveryLimiter';
import { reserveRateSlot } from './rateSlots';

/**
 * The limiter's rules over state in this process's memory: what `DeliveryLimiterStore` does with
 * DynamoDB, for a single process. The unit tests, the delivery-path benchmark and the scale
 * simulation (one shared limiter for every simulated container) use it; deployed functions never do,
 * as their containers must share one limiter.
 */
export class InProcessDeliveryLimiter implements DeliveryLimiter {
  readonly nextFreeSlot = new Map<string, number>();
  readonly leases = new Map<string, Map<number, number>>();

  constructor(private readonly random: () => number = Math.random) {}

  async reserveRateSlot(webhookId: string, intervalMs: number, nowMs: number): Promise<number> {
    return this.reserveRateSlotNow(webhookId, intervalMs, nowMs);
  }

  /** The same, synchronously (the simulation's event loop has no promises). */
  reserveRateSlotNow(webhookId: string, intervalMs: number, nowMs: number): number {
    const { slotMs, nextFreeSlotMs } = reserveRateSlot(this.nextFreeSlot.get(webhookId), nowMs, intervalMs);
    this.nextFreeSlot.set(webhookId, nextFreeSlotMs);
    return slotMs;
  }

  async acquireLease(
    webhookId: string,
    max: number,
    nowMs: number,
    expiryMs: number,
  ): Promise<LeaseAcquisition> {
    const slots = this.leases.get(webhookId) ?? new Map<number, number>();
    this.leases.set(webhookId, slots);
    const choice = pickLeaseSlot(slots, max, nowMs, this.random);
    if (choice.kind === 'full') return choice;
    slots.set(choice.slot, expiryMs);
    return {
      kind: 'held',
      release: async () => {
        if (slots.get(choice.slot) === expiryMs) slots.delete(choice.slot);
      },
    };
  }

  /** Leases live at `nowMs` (tests check that none is left behind). */
  liveLeases(webhookId: string, nowMs: number): number {
    return [...(this.leases.get(webhookId)?.values() ?? [])].filter((expiry) => isLeaseLive(expiry, nowMs))
      .length;
  }
}
