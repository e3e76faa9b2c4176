import { describe, expect, it } from 'vitest';
import {
  type DeliveryPlaneScenario,
  simulateDeliveryPlane,
} from '../../../../../bench/lib/sim/deliveryPlaneSimulation';
import { DEFAULT_BREAKER_POLICY } from '../../../../../shared/domain/health/endpointHealth';

const base: DeliveryPlaneScenario = {
  rate: 500,
  webhooks: 1_000,
  deadFraction: 0,
  simulatedSeconds: 40,
  warmupSeconds: 10,
  primary: { batchSize: 10, maxConcurrency: 100, initialConcurrency: 100, attemptTimeoutMs: 2_000 },
  slow: { batchSize: 10, maxConcurrency: 50, initialConcurrency: 50, attemptTimeoutMs: 10_000 },
  accountConcurrency: 1_000,
  healthyMedianMs: 150,
  healthySigma: 0.3,
  seed: 3,
};

describe('simulateDeliveryPlane', () => {
  it('delivers the offered rate to healthy endpoints with a latency of receiver time plus pipeline overhead', () => {
    const result = simulateDeliveryPlane(base);
    expect(result.deliveredPerSecond).toBeGreaterThan(base.rate * 0.95);
    expect(result.deliveredPerSecond).toBeLessThan(base.rate * 1.05);
    expect(result.healthyP50Ms).toBeGreaterThan(150);
    expect(result.healthyP50Ms).toBeLessThan(250);
    expect(result.failedAttempts).toBe(0);
    expect(result.peakInFlight.slow).toBe(0);
    expect(simulateDeliveryPlane(base).healthyP99Ms).toBe(result.healthyP99Ms); // deterministic per seed
  });

  it('sends dead endpoints’ jobs to the slow lane and turns them away once the breaker opens', () => {
    const result = simulateDeliveryPlane({ ...base, deadFraction: 0.1 });
    expect(result.failedAttempts).toBeGreaterThan(0);
    expect(result.movedToSlowLane).toBeGreaterThan(0);
    expect(result.circuitOpen).toBeGreaterThan(0);
    expect(result.peakInFlight.slow).toBeGreaterThan(0);
    expect(result.deliveredPerSecond).toBeGreaterThan(base.rate * 0.9 * 0.95);
  });

  it('runs the production breaker policy: a threshold no endpoint reaches opens no breaker', () => {
    const never = simulateDeliveryPlane({
      ...base,
      deadFraction: 0.1,
      breakerPolicy: { ...DEFAULT_BREAKER_POLICY, failureThreshold: 1_000 },
    });
    expect(never.failedAttempts).toBeGreaterThan(0);
    expect(never.circuitOpen).toBe(0);
  });

  it('without the early slow mark, hanging jobs hold primary-lane slots longer and healthy latency grows', () => {
    const dead = { ...base, deadFraction: 0.1, rate: 2_000, simulatedSeconds: 20, warmupSeconds: 0 };
    const early = simulateDeliveryPlane(dead);
    const late = simulateDeliveryPlane({ ...dead, primaryLaneSlowAfterMs: 2_000 });
    expect(late.healthyP99Ms).toBeGreaterThan(early.healthyP99Ms * 1.1);
  });

  it('a primary lane too small for the hanging jobs lets healthy latency grow (the model can fail)', () => {
    const starved = simulateDeliveryPlane({
      ...base,
      deadFraction: 0.1,
      primary: { ...base.primary, maxConcurrency: 10, initialConcurrency: 10, attemptTimeoutMs: 10_000 },
    });
    expect(starved.healthyP99Ms).toBeGreaterThan(5 * simulateDeliveryPlane(base).healthyP99Ms);
  });
});
