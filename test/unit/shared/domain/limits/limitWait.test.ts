import { describe, expect, it } from 'vitest';
import {
  concurrencyWait,
  MAX_CONCURRENCY_WAIT_SECONDS,
  rateSlotWait,
} from '../../../../../shared/domain/limits/limitWait';
import { rateSlotDecision } from '../../../../../shared/domain/limits/rateSlotDecision';
import { MAX_SQS_DELAY_SECONDS } from '../../../../../shared/domain/retry';

const NOW = Date.parse('2026-12-04T22:00:00.000Z');

describe('rateSlotWait', () => {
  it('waits whole seconds up to the slot, never less, and carries the slot as notBefore', () => {
    expect(rateSlotWait(NOW + 500, NOW)).toEqual({ notBefore: NOW + 500, delaySeconds: 1 });
    expect(rateSlotWait(NOW + 2_000, NOW)).toEqual({ notBefore: NOW + 2_000, delaySeconds: 2 });
  });

  it('chains slots further than 15 minutes away (SQS DelaySeconds ≤ 900)', () => {
    expect(rateSlotWait(NOW + 3_600_000, NOW)).toEqual({
      notBefore: NOW + 3_600_000,
      delaySeconds: MAX_SQS_DELAY_SECONDS,
    });
  });
});

describe('concurrencyWait', () => {
  it('comes back after 1 or 2 s, spread at random', () => {
    expect(concurrencyWait(NOW + 15_000, NOW, () => 0)).toEqual({ delaySeconds: 1 });
    expect(concurrencyWait(NOW + 15_000, NOW, () => 0.99)).toEqual({ delaySeconds: 2 });
  });

  it('never waits less than SQS’s smallest delay, nor more than the cap', () => {
    expect(concurrencyWait(NOW + 200, NOW, () => 0.99)).toEqual({ delaySeconds: 1 });
    expect(concurrencyWait(NOW - 200, NOW, () => 0.99)).toEqual({ delaySeconds: 1 });
    for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
      const { delaySeconds } = concurrencyWait(NOW + 60_000, NOW, () => r);
      expect(delaySeconds).toBeGreaterThanOrEqual(1);
      expect(delaySeconds).toBeLessThanOrEqual(MAX_CONCURRENCY_WAIT_SECONDS);
    }
  });
});

describe('rateSlotDecision', () => {
  it('delivers when the slot has come, and holds the slot either way', () => {
    expect(rateSlotDecision(NOW, NOW)).toEqual({ kind: 'now', rateSlot: NOW });
    expect(rateSlotDecision(NOW - 5, NOW)).toEqual({ kind: 'now', rateSlot: NOW - 5 });
  });

  it('waits for a slot even 1 ms ahead, due exactly at it, in whole seconds rounded up', () => {
    expect(rateSlotDecision(NOW + 1, NOW)).toEqual({
      kind: 'wait',
      rateSlot: NOW + 1,
      notBefore: NOW + 1,
      delaySeconds: 1,
    });
    expect(rateSlotDecision(NOW + 2_500, NOW)).toMatchObject({ kind: 'wait', delaySeconds: 3 });
  });
});
