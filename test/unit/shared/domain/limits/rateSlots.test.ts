import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  burstToleranceMs,
  holdsRateSlot,
  reserveRateSlot,
  slotAfter,
  slotIntervalMs,
  withoutRateSlot,
} from '../../../../../shared/domain/limits/rateSlots';

const NOW = Date.parse('2026-12-04T22:00:00.000Z');

describe('slotIntervalMs', () => {
  it('is the gap between deliveries, rounded up so the rate is never exceeded', () => {
    expect(slotIntervalMs(2)).toBe(500);
    expect(slotIntervalMs(3)).toBe(334);
    expect(slotIntervalMs(0.5)).toBe(2_000);
    expect(slotIntervalMs(0.01)).toBe(100_000);
    expect(slotIntervalMs(500)).toBe(2);
  });

  it('refuses a rate that is not a positive finite number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => slotIntervalMs(bad)).toThrow(RangeError);
    }
  });
});

describe('reserveRateSlot', () => {
  it('gives an idle limiter’s slot to the job at once and moves the next slot one interval on', () => {
    expect(reserveRateSlot(undefined, NOW, 500)).toEqual({ slotMs: NOW, nextFreeSlotMs: NOW + 500 });
    // A quiet spell saves up nothing beyond the one second's worth every idle limiter has.
    expect(reserveRateSlot(NOW - 60_000, NOW, 500)).toEqual({ slotMs: NOW, nextFreeSlotMs: NOW + 500 });
  });

  const burst = (intervalMs: number, count: number) => {
    let next: number | undefined;
    const slots: number[] = [];
    for (let i = 0; i < count; i++) {
      const reserved = reserveRateSlot(next, NOW, intervalMs);
      slots.push(reserved.slotMs - NOW);
      next = reserved.nextFreeSlotMs;
    }
    return slots;
  };

  it('lets one second’s worth of a burst through at once, then queues the rest one interval apart', () => {
    expect(burst(500, 5)).toEqual([0, 0, 500, 1_000, 1_500]); // 2/s
    expect(burst(100, 12)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 200]); // 10/s
  });

  it('keeps strict spacing below one delivery per second', () => {
    expect(burstToleranceMs(2_000)).toBe(0);
    expect(burst(2_000, 3)).toEqual([0, 2_000, 4_000]); // 0.5/s
  });

  it('never starts more than one second’s burst plus one per interval in any window, whatever the arrivals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 20_000 }),
        (intervalMs, gaps, windowMs) => {
          let now = NOW;
          let next: number | undefined;
          const slots: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const reserved = reserveRateSlot(next, now, intervalMs);
            expect(reserved.slotMs).toBeGreaterThanOrEqual(now); // delayed, never earlier than arrival
            slots.push(reserved.slotMs);
            next = reserved.nextFreeSlotMs;
          }
          for (const start of slots) {
            const inWindow = slots.filter((s) => s >= start && s < start + windowMs).length;
            // GCRA: n slots within a window shorter than W are (n - 1) intervals apart at most W + tolerance.
            expect(inWindow).toBeLessThanOrEqual(
              1 + Math.floor((windowMs - 1 + burstToleranceMs(intervalMs)) / intervalMs),
            );
          }
          expect(slots.length).toBe(gaps.length); // every job got a slot: nothing is dropped
        },
      ),
    );
  });
});

describe('slotAfter', () => {
  it('is the slot an atomic ADD hands out: the old value less the burst tolerance, never before now', () => {
    expect(slotAfter(NOW + 5_000, NOW, 500)).toBe(NOW + 4_500);
    expect(slotAfter(NOW + 300, NOW, 500)).toBe(NOW);
    expect(slotAfter(NOW + 5_000, NOW, 2_000)).toBe(NOW + 5_000);
  });
});

describe('holdsRateSlot', () => {
  it('is true only while the job is due exactly at its reserved slot', () => {
    expect(holdsRateSlot({ rateSlot: NOW, notBefore: NOW })).toBe(true);
    expect(holdsRateSlot({})).toBe(false);
    expect(holdsRateSlot({ notBefore: NOW })).toBe(false);
    // A retry (or an internal-error re-send) carries a new notBefore: the old slot is not reused.
    expect(holdsRateSlot({ rateSlot: NOW, notBefore: NOW + 5_000 })).toBe(false);
    expect(holdsRateSlot({ rateSlot: NOW })).toBe(false);
  });
});

describe('withoutRateSlot', () => {
  it('drops a used slot, so the job asks the limiter again', () => {
    const job = { webhookId: 'wh_1', rateSlot: NOW, notBefore: NOW };
    expect(withoutRateSlot(job)).toEqual({ webhookId: 'wh_1', notBefore: NOW });
    expect(holdsRateSlot(withoutRateSlot(job))).toBe(false);
    const plain: { webhookId: string; rateSlot?: number } = { webhookId: 'wh_1' };
    expect(withoutRateSlot(plain)).toBe(plain);
  });
});
