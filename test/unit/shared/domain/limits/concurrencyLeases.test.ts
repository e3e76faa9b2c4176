import { describe, expect, it } from 'vitest';
import {
  isLeaseLive,
  LEASE_MARGIN_MS,
  leaseExpiryMs,
  pickLeaseSlot,
} from '../../../../../shared/domain/limits/concurrencyLeases';

const NOW = Date.parse('2026-12-04T22:00:00.000Z');
const first = () => 0;
const last = () => 0.999_999;

describe('leaseExpiryMs', () => {
  it('outlives the request by a margin, so only a holder that died leaves it to expire', () => {
    expect(leaseExpiryMs(NOW, 10_000)).toBe(NOW + 10_000 + LEASE_MARGIN_MS);
  });
});

describe('isLeaseLive', () => {
  it('is live strictly before its expiry', () => {
    expect(isLeaseLive(NOW + 1, NOW)).toBe(true);
    expect(isLeaseLive(NOW, NOW)).toBe(false);
    expect(isLeaseLive(undefined, NOW)).toBe(false);
  });
});

describe('pickLeaseSlot', () => {
  it('picks any free slot below the cap when none is held', () => {
    expect(pickLeaseSlot(new Map(), 3, NOW, first)).toEqual({ kind: 'free', slot: 0 });
    expect(pickLeaseSlot(new Map(), 3, NOW, last)).toEqual({ kind: 'free', slot: 2 });
  });

  it('skips live leases and reuses expired ones (a dead container’s lease frees itself)', () => {
    const slots = new Map([
      [0, NOW + 5_000],
      [1, NOW - 1], // its holder died: expired
      [2, NOW + 7_000],
    ]);
    expect(pickLeaseSlot(slots, 3, NOW, first)).toEqual({ kind: 'free', slot: 1 });
    expect(pickLeaseSlot(slots, 3, NOW, last)).toEqual({ kind: 'free', slot: 1 });
  });

  it('is full when every slot is live, and says when the first lease expires', () => {
    const slots = new Map([
      [0, NOW + 9_000],
      [1, NOW + 4_000],
    ]);
    expect(pickLeaseSlot(slots, 2, NOW, first)).toEqual({ kind: 'full', earliestExpiryMs: NOW + 4_000 });
  });

  it('counts leases above a lowered cap until they end', () => {
    // The cap went from 4 to 2 while slots 2 and 3 were held: no new lease until they are gone.
    const slots = new Map([
      [2, NOW + 3_000],
      [3, NOW + 8_000],
    ]);
    expect(pickLeaseSlot(slots, 2, NOW, first)).toEqual({ kind: 'full', earliestExpiryMs: NOW + 3_000 });
    expect(pickLeaseSlot(slots, 2, NOW + 3_000, first)).toEqual({ kind: 'free', slot: 0 });
  });

  it('never hands out more than the cap, whatever was held', () => {
    for (let max = 1; max <= 6; max++) {
      const slots = new Map<number, number>();
      for (let taken = 0; taken < max + 2; taken++) {
        const choice = pickLeaseSlot(slots, max, NOW, Math.random);
        if (taken < max) {
          expect(choice.kind).toBe('free');
          if (choice.kind === 'free') {
            expect(slots.has(choice.slot)).toBe(false);
            slots.set(choice.slot, NOW + 1_000);
          }
        } else {
          expect(choice.kind).toBe('full');
        }
      }
    }
  });
});
