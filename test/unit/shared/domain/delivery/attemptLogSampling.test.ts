import { describe, expect, it } from 'vitest';
import { keepsAttempt } from '../../../../../shared/domain/delivery/attemptLogSampling';

describe('keepsAttempt', () => {
  it('keeps every failure, skip and dead-lettering whatever the rate; successes at the rate', () => {
    for (const outcome of ['failed', 'dead-lettered', 'skipped', 'gone']) {
      expect(keepsAttempt(outcome, 0, () => 0.99)).toBe(true);
    }
    expect(keepsAttempt('delivered', 1, () => 0.999)).toBe(true);
    expect(keepsAttempt('delivered', 0, () => 0)).toBe(false);
    expect(keepsAttempt('delivered', 0.1, () => 0.05)).toBe(true);
    expect(keepsAttempt('delivered', 0.1, () => 0.15)).toBe(false);
  });
});
