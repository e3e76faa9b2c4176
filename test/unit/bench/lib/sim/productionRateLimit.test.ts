import { describe, expect, it } from 'vitest';
import {
  type DeliveryPlaneScenario,
  simulateDeliveryPlane,
} from '../../../../../bench/lib/sim/deliveryPlaneSimulation';
import { productionRateLimit } from '../../../../../bench/lib/sim/productionRateLimit';

const NOW = 1_000_000;

describe('productionRateLimit (the delivery function’s rules in the simulation)', () => {
  it('lets one second’s worth through, defers the next to its slot, and lets it through when it comes back', () => {
    const limit = productionRateLimit(() => 2);
    expect(limit.admit({ webhookId: 1 }, NOW)).toEqual({ kind: 'attempt' });
    expect(limit.admit({ webhookId: 1 }, NOW)).toEqual({ kind: 'attempt' });
    const deferred = limit.admit({ webhookId: 1 }, NOW);
    expect(deferred).toEqual({ kind: 'defer', untilMs: NOW + 500, rateSlot: NOW + 500 });
    // Back at its slot (notBefore = rateSlot): no new reservation.
    expect(limit.admit({ webhookId: 1, rateSlot: NOW + 500, notBefore: NOW + 500 }, NOW + 1_000)).toEqual({
      kind: 'attempt',
    });
    expect(limit.writes).toBe(3);
    // Another webhook has its own slots; one without a limit never reaches the limiter.
    expect(limit.admit({ webhookId: 2 }, NOW)).toEqual({ kind: 'attempt' });
    expect(productionRateLimit(() => undefined).admit({ webhookId: 1 }, NOW)).toEqual({ kind: 'attempt' });
  });
});

describe('simulateDeliveryPlane with rate-limited webhooks', () => {
  const base: DeliveryPlaneScenario = {
    rate: 100,
    webhooks: 10,
    deadFraction: 0,
    simulatedSeconds: 60,
    warmupSeconds: 10,
    primary: { batchSize: 10, maxConcurrency: 20, initialConcurrency: 20, attemptTimeoutMs: 2_000 },
    slow: { batchSize: 10, maxConcurrency: 20, initialConcurrency: 20, attemptTimeoutMs: 10_000 },
    accountConcurrency: 1_000,
    healthyMedianMs: 100,
    healthySigma: 0.3,
    seed: 7,
  };

  it('delivers no faster than the limits allow, delaying the excess instead of dropping it', () => {
    // 10 webhooks offered 10/s each, limited to 5/s each: 50/s get through, the rest wait their turn.
    const limited = simulateDeliveryPlane({ ...base, rateLimit: productionRateLimit(() => 5) });
    expect(limited.deliveredPerSecond).toBeLessThanOrEqual(50 * 1.02);
    expect(limited.deliveredPerSecond).toBeGreaterThan(50 * 0.9);
    expect(limited.failedAttempts).toBe(0);
    expect(limited.deadLettered).toBe(0);
    // A limit above the offered rate changes nothing.
    const loose = simulateDeliveryPlane({ ...base, rateLimit: productionRateLimit(() => 20) });
    expect(loose.deliveredPerSecond).toBeGreaterThan(base.rate * 0.95);
  });
});
