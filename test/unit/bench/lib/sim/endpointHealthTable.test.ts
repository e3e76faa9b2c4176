import { describe, expect, it } from 'vitest';
import { EndpointHealthTable } from '../../../../../bench/lib/sim/endpointHealthTable';

describe('EndpointHealthTable (the webhook rows’ health fields, read through the containers’ cache)', () => {
  it('applies writes to the row at once and shows them to containers after the cache delay', () => {
    const table = new EndpointHealthTable(2_500);
    expect(table.recordFailure(7, 0)).toEqual({ consecutiveFailures: 1 });
    expect(table.recordFailure(7, 100)).toEqual({ consecutiveFailures: 2 });
    expect(table.seenBy(7, 2_499)).toEqual({});
    expect(table.seenBy(7, 2_500)).toEqual({ consecutiveFailures: 1 });
    expect(table.seenBy(7, 2_600)).toEqual({ consecutiveFailures: 2 });
    table.markSlow(7, 3_000, 9_000);
    table.openBreaker(7, 3_000, { breakerOpenUntil: 33_000, breakerOpenings: 1 });
    expect(table.seenBy(7, 5_500)).toEqual({
      consecutiveFailures: 2,
      slowUntil: 9_000,
      breakerOpenUntil: 33_000,
      breakerOpenings: 1,
    });
    table.recordSuccess(7, 6_000, [
      'consecutiveFailures',
      'slowUntil',
      'breakerOpenUntil',
      'breakerOpenings',
    ]);
    expect(table.seenBy(7, 8_500)).toEqual({});
    expect(table.seenBy(8, 8_500)).toEqual({});
    expect(table.writes).toBe(5);
  });

  it('grants the probe lease on the row itself: one winner until it expires, whatever caches show', () => {
    const table = new EndpointHealthTable(2_500);
    expect(table.acquireProbeLease(1, 0, 15_000)).toBe(true);
    expect(table.acquireProbeLease(1, 10, 15_000)).toBe(false);
    expect(table.acquireProbeLease(1, 15_000, 15_000)).toBe(true);
    expect(table.writes).toBe(3);
    // Opening the breaker releases the lease.
    table.openBreaker(1, 16_000, { breakerOpenUntil: 76_000, breakerOpenings: 2 });
    expect(table.acquireProbeLease(1, 16_001, 15_000)).toBe(true);
  });
});
