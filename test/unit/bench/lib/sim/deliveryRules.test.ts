import { describe, expect, it } from 'vitest';
import { productionRetryRules } from '../../../../../bench/lib/sim/deliveryRules';
import { MAX_DELAY_SECONDS } from '../../../../../bench/lib/sim/sqsStandardQueue';
import { DEFAULT_RETRY_POLICY } from '../../../../../shared/domain/retry';

describe('productionRetryRules (the simulation driven by the real retry schedule)', () => {
  it('follows the default table with ±20 % jitter and dead-letters after the last attempt', () => {
    const nowMs = 1_000_000;
    for (const [index, base] of DEFAULT_RETRY_POLICY.delaysSeconds.entries()) {
      for (const random of [() => 0, () => 0.5, () => 0.999]) {
        const plan = productionRetryRules.afterFailure({
          attempt: index + 1,
          cause: 'http-500',
          nowMs,
          random,
        });
        if (plan.kind !== 'retry') throw new Error('expected a retry');
        const waited = (plan.notBefore - nowMs) / 1000;
        expect(waited).toBeGreaterThanOrEqual(base * 0.8 - 0.001);
        expect(waited).toBeLessThanOrEqual(base * 1.2 + 0.001);
        expect(plan.attempt).toBe(index + 2);
      }
    }
    const last = productionRetryRules.afterFailure({
      attempt: DEFAULT_RETRY_POLICY.maxAttempts,
      cause: 'timeout',
      nowMs,
      random: () => 0.5,
    });
    expect(last).toEqual({ kind: 'dead-letter' });
  });

  it('reaches a 12 h (+20 %) due time through hops of at most 900 s, attempting only once due', () => {
    const start = 0;
    const notBefore = 43_200 * 1.2 * 1000;
    let now = start;
    let hops = 0;
    while (!productionRetryRules.isDue(notBefore, now)) {
      const delay = productionRetryRules.hopDelaySeconds(notBefore, now);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(MAX_DELAY_SECONDS);
      now += delay * 1000;
      hops += 1;
    }
    expect(hops).toBe(Math.ceil((43_200 * 1.2) / MAX_DELAY_SECONDS));
    expect(Math.abs(now - notBefore)).toBeLessThanOrEqual(60_000);
  });
});
