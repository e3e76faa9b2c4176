import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseDelaySeconds,
  DEFAULT_RETRY_POLICY,
  isLastAttempt,
  MAX_CONFIGURED_DELAY_SECONDS,
  nextRetryDelaySeconds,
  parseRetryAfter,
  parseRetryDelays,
  type RetryPolicy,
} from '../../../../../shared/domain/retry';

const NOW = new Date('2026-11-27T13:00:00.000Z');
const noJitter = () => 0.5;
const delay = (attempt: number, extra: Partial<Parameters<typeof nextRetryDelaySeconds>[0]> = {}) =>
  nextRetryDelaySeconds({
    attempt,
    policy: DEFAULT_RETRY_POLICY,
    cause: 'http-500',
    now: NOW,
    random: noJitter,
    ...extra,
  });

describe('DEFAULT_RETRY_POLICY', () => {
  it('is 10 attempts at about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 12 h', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(10);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => delay(a))).toEqual([
      5, 300, 1800, 7200, 18_000, 36_000, 43_200, 43_200, 43_200,
    ]);
  });

  it('knows the last attempt', () => {
    expect(isLastAttempt(9, DEFAULT_RETRY_POLICY)).toBe(false);
    expect(isLastAttempt(10, DEFAULT_RETRY_POLICY)).toBe(true);
    expect(isLastAttempt(11, DEFAULT_RETRY_POLICY)).toBe(true);
    expect(isLastAttempt(1, { maxAttempts: 1, delaysSeconds: [1] })).toBe(true);
  });
});

describe('nextRetryDelaySeconds', () => {
  it('adds ±20 % jitter', () => {
    expect(delay(2, { random: () => 0 })).toBe(240);
    expect(delay(2, { random: () => 0.999999 })).toBe(360);
    // 12 h + 20 %: no 43200 s clamp any more (the wait is chained SQS delays, not visibility).
    expect(delay(7, { random: () => 0.999999 })).toBeCloseTo(51_840, 0);
    expect(delay(7, { random: () => 0 })).toBe(34_560);
  });

  it('honours Retry-After in seconds or as an HTTP date, never retrying earlier, within a week', () => {
    expect(delay(1, { retryAfter: '120' })).toBe(120);
    expect(delay(1, { retryAfter: 'Fri, 27 Nov 2026 13:10:00 GMT' })).toBe(600);
    expect(delay(3, { retryAfter: '10' })).toBe(1800);
    expect(delay(1, { retryAfter: '999999' })).toBe(MAX_CONFIGURED_DELAY_SECONDS);
    expect(delay(1, { retryAfter: '50000' })).toBe(50_000);
    expect(delay(1, { retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' })).toBe(5);
    expect(delay(1, { retryAfter: 'soon' })).toBe(5);
    expect(delay(1, { retryAfter: '-5' })).toBe(5);
  });

  it('waits at least 60 s after a 429 or a timeout', () => {
    expect(delay(1, { cause: 'http-429' })).toBe(60);
    expect(delay(1, { cause: 'timeout' })).toBe(60);
    expect(delay(1, { cause: 'http-503' })).toBe(5);
    expect(delay(1, { cause: 'connection-error' })).toBe(5);
    expect(delay(2, { cause: 'http-429' })).toBe(300);
  });

  it('scales the 60 s floor down for policies whose delays are all shorter (test policies)', () => {
    const fast: RetryPolicy = { maxAttempts: 3, delaysSeconds: [1, 2] };
    expect(delay(1, { policy: fast, cause: 'http-429' })).toBe(2);
    expect(delay(1, { policy: fast, cause: 'http-500' })).toBe(1);
    expect(delay(1, { policy: { maxAttempts: 3, delaysSeconds: [0] }, cause: 'timeout' })).toBe(0);
  });

  it('repeats the last configured delay and copes with odd inputs', () => {
    const policy: RetryPolicy = { maxAttempts: 5, delaysSeconds: [1, 3] };
    expect([1, 2, 3, 4].map((attempt) => delay(attempt, { policy }))).toEqual([1, 3, 3, 3]);
    expect(delay(0, { policy })).toBe(1);
    expect(delay(1, { policy: { maxAttempts: 1, delaysSeconds: [] } })).toBe(0);
    expect(delay(1, { policy: { maxAttempts: 1, delaysSeconds: [100_000] } })).toBe(100_000);
    expect(delay(1, { policy: { maxAttempts: 1, delaysSeconds: [10_000_000] } })).toBe(
      MAX_CONFIGURED_DELAY_SECONDS,
    );
  });

  it('scales schedule and overload floor by the policy scale, never a Retry-After', () => {
    const scaled: RetryPolicy = { ...DEFAULT_RETRY_POLICY, scale: 0.001 };
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => delay(a, { policy: scaled }))).toEqual([
      0.005, 0.3, 1.8, 7.2, 18, 36, 43.2,
    ]);
    expect(delay(1, { policy: scaled, cause: 'timeout' })).toBe(0.06);
    expect(delay(1, { policy: scaled, retryAfter: '30' })).toBe(30);
  });

  describe('properties', () => {
    const policyArb = fc
      .array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 10 })
      .map((delays) => ({ maxAttempts: 10, delaysSeconds: delays.sort((a, b) => a - b) }));
    const causeArb = fc.constantFrom('http-500', 'http-429', 'timeout', 'connection-error', 'http-404');
    const retryAfterArb = fc.option(
      fc.oneof(
        fc.nat({ max: 100_000 }).map(String),
        fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        fc.string(),
      ),
      { nil: undefined },
    );

    it('delays are milliseconds between 0 and a week', () => {
      fc.assert(
        fc.property(
          policyArb,
          fc.integer({ min: 1, max: 20 }),
          causeArb,
          retryAfterArb,
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          (policy, attempt, cause, retryAfter, r) => {
            const d = nextRetryDelaySeconds({
              attempt,
              policy,
              cause,
              retryAfter,
              now: NOW,
              random: () => r,
            });
            expect(Number.isInteger(Math.round(d * 1000))).toBe(true);
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThanOrEqual(MAX_CONFIGURED_DELAY_SECONDS);
          },
        ),
      );
    });

    it('base delays never decrease with the attempt number (default policy and any sorted policy)', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.constant(DEFAULT_RETRY_POLICY), policyArb),
          fc.integer({ min: 1, max: 30 }),
          (policy, attempt) => {
            expect(baseDelaySeconds(attempt + 1, policy)).toBeGreaterThanOrEqual(
              baseDelaySeconds(attempt, policy),
            );
            expect(baseDelaySeconds(attempt, policy)).toBeLessThanOrEqual(MAX_CONFIGURED_DELAY_SECONDS);
          },
        ),
      );
    });

    it('jittered delays stay within ±20 % of the base delay (plus rounding)', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.constant(DEFAULT_RETRY_POLICY), policyArb),
          fc.integer({ min: 1, max: 20 }),
          (policy, attempt) => {
            const base = baseDelaySeconds(attempt, policy);
            const d = nextRetryDelaySeconds({ attempt, policy, cause: 'http-500', now: NOW });
            expect(d).toBeGreaterThanOrEqual(base * 0.8 - 0.001);
            expect(d).toBeLessThanOrEqual(base * 1.2 + 0.001);
          },
        ),
      );
    });

    it('never retries before a valid Retry-After (within the cap)', () => {
      fc.assert(
        fc.property(
          policyArb,
          fc.integer({ min: 1, max: 20 }),
          fc.nat({ max: 100_000 }),
          (policy, attempt, seconds) => {
            const d = nextRetryDelaySeconds({
              attempt,
              policy,
              cause: 'http-429',
              retryAfter: String(seconds),
              now: NOW,
            });
            expect(d).toBeGreaterThanOrEqual(seconds);
          },
        ),
      );
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter(' 30 ', NOW)).toBe(30);
    expect(parseRetryAfter('Fri, 27 Nov 2026 13:00:01 GMT', NOW)).toBe(1);
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('tomorrow', NOW)).toBeUndefined();
  });
});

describe('parseRetryDelays', () => {
  it('reads comma-separated whole seconds', () => {
    expect(parseRetryDelays('5,300,1800')).toEqual([5, 300, 1800]);
    expect(parseRetryDelays(' 1 , 2 ')).toEqual([1, 2]);
    expect(parseRetryDelays('0')).toEqual([0]);
    expect(parseRetryDelays('43200,86400')).toEqual([43_200, 86_400]);
  });

  it.each([
    ['', /at least one/],
    ['  ', /at least one/],
    ['5,,10', /entry 2 \(""\)/],
    ['5,abc', /entry 2 \("abc"\)/],
    ['1.5', /entry 1/],
    ['-1', /entry 1/],
    ['604801', /from 0 to 604800/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parseRetryDelays(text)).toThrow(/RETRY_DELAYS_SECONDS/);
    expect(() => parseRetryDelays(text)).toThrow(message);
  });
});
