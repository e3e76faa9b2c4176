import { describe, expect, it } from 'vitest';
import { InterimCircuitBreaker } from '../../../../bench/lib/sim/interimCircuitBreaker';

const settings = { failureThreshold: 3, openMs: 30_000, cacheMs: 1_000 };

describe('InterimCircuitBreaker', () => {
  it('opens after consecutive failures (seen once the cache expires), lets one probe through, and a success closes it', () => {
    const breaker = new InterimCircuitBreaker(settings);
    for (const t of [0, 10, 20]) breaker.record(7, false, t);
    expect(breaker.admit(7, 500).kind).toBe('attempt'); // containers still hold the cached closed state
    const turnedAway = breaker.admit(7, 1_020);
    expect(turnedAway).toEqual({ kind: 'defer', untilMs: 30_020 });
    expect(breaker.admit(8, 1_020).kind).toBe('attempt'); // other webhooks are unaffected
    expect(breaker.admit(7, 30_020).kind).toBe('attempt'); // the probe
    expect(breaker.admit(7, 30_021).kind).toBe('defer'); // only one at a time
    breaker.record(7, true, 30_200);
    expect(breaker.admit(7, 30_201).kind).toBe('attempt');
  });

  it('a failed probe opens it again; a success before the threshold resets the count', () => {
    const breaker = new InterimCircuitBreaker(settings);
    breaker.record(1, false, 0);
    breaker.record(1, false, 1);
    breaker.record(1, true, 2);
    breaker.record(1, false, 3);
    expect(breaker.admit(1, 5_000).kind).toBe('attempt');
    for (const t of [10, 20, 30]) breaker.record(2, false, t);
    expect(breaker.admit(2, 30_030).kind).toBe('attempt');
    breaker.record(2, false, 40_030);
    expect(breaker.admit(2, 42_000).kind).toBe('defer');
  });
});
