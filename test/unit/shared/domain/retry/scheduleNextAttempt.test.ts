import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  hopDelaySeconds,
  isDue,
  MAX_SQS_DELAY_SECONDS,
  scheduleNextAttempt,
} from '../../../../../shared/domain/retry';

const NOW = Date.parse('2026-11-27T13:00:00.000Z');

describe('scheduleNextAttempt', () => {
  it('plans the next attempt with its due time and a first SQS hop of at most 900 s', () => {
    expect(
      scheduleNextAttempt({
        attempt: 1,
        policy: DEFAULT_RETRY_POLICY,
        cause: 'http-500',
        nowMs: NOW,
        random: () => 0.5,
      }),
    ).toEqual({
      kind: 'retry',
      attempt: 2,
      notBefore: NOW + 5_000,
      delaySeconds: 5,
      firstHopDelaySeconds: 5,
    });
    expect(
      scheduleNextAttempt({
        attempt: 7,
        policy: DEFAULT_RETRY_POLICY,
        cause: 'http-500',
        nowMs: NOW,
        random: () => 0.5,
      }),
    ).toEqual({
      kind: 'retry',
      attempt: 8,
      notBefore: NOW + 43_200_000,
      delaySeconds: 43_200,
      firstHopDelaySeconds: 900,
    });
  });

  it('dead-letters after the last attempt', () => {
    expect(
      scheduleNextAttempt({ attempt: 10, policy: DEFAULT_RETRY_POLICY, cause: 'timeout', nowMs: NOW }),
    ).toEqual({
      kind: 'dead-letter',
    });
  });

  it('chained hops reach every documented delay (12 h + 20 % included) to the second', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const plan = scheduleNextAttempt({
            attempt,
            policy: DEFAULT_RETRY_POLICY,
            cause: 'http-500',
            nowMs: NOW,
            random: () => r,
          });
          if (plan.kind !== 'retry') throw new Error('expected a retry');
          // Follow the chain as SQS would: each hop visible exactly DelaySeconds after its send.
          let clock = NOW;
          let hop = plan.firstHopDelaySeconds;
          let hops = 0;
          for (;;) {
            expect(hop).toBeLessThanOrEqual(MAX_SQS_DELAY_SECONDS);
            clock += hop * 1000;
            hops++;
            if (isDue(plan.notBefore, clock)) break;
            hop = hopDelaySeconds(plan.notBefore, clock);
          }
          expect(Math.abs(clock - plan.notBefore)).toBeLessThanOrEqual(1_000);
          expect(hops).toBeLessThanOrEqual(Math.ceil(plan.delaySeconds / MAX_SQS_DELAY_SECONDS) + 1);
        },
      ),
    );
  });
});

describe('hopDelaySeconds / isDue', () => {
  it('rounds up to whole seconds within 0–900', () => {
    expect(hopDelaySeconds(NOW + 1, NOW)).toBe(1);
    expect(hopDelaySeconds(NOW - 5_000, NOW)).toBe(0);
    expect(hopDelaySeconds(NOW + 3_600_000, NOW)).toBe(900);
  });

  it('treats a job as due within a second of its notBefore, or without one', () => {
    expect(isDue(undefined, NOW)).toBe(true);
    expect(isDue(NOW + 1_000, NOW)).toBe(true);
    expect(isDue(NOW + 1_001, NOW)).toBe(false);
  });
});
