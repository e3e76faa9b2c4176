import { describe, expect, it } from 'vitest';
import {
  admitJob,
  breakerAfterFailure,
  breakerState,
  cooldownMs,
  DEFAULT_BREAKER_POLICY,
  healthClearedBySuccess,
} from '../../../../../shared/domain/health/endpointHealth';

const NOW = 1_000_000;
const policy = DEFAULT_BREAKER_POLICY;

describe('admitJob', () => {
  it('attempts for a healthy endpoint in either lane', () => {
    expect(admitJob({ health: {}, lane: 'primary', nowMs: NOW })).toBe('attempt');
    expect(admitJob({ health: { consecutiveFailures: 2 }, lane: 'slow', nowMs: NOW })).toBe('attempt');
  });

  it('moves primary-lane jobs of slow or failing endpoints to the slow lane, without a call', () => {
    expect(admitJob({ health: { slowUntil: NOW + 1 }, lane: 'primary', nowMs: NOW })).toBe('to-slow-lane');
    expect(admitJob({ health: { breakerOpenUntil: NOW + 1 }, lane: 'primary', nowMs: NOW })).toBe(
      'to-slow-lane',
    );
    expect(admitJob({ health: { breakerOpenUntil: NOW - 1 }, lane: 'primary', nowMs: NOW })).toBe(
      'to-slow-lane',
    );
    expect(admitJob({ health: { slowUntil: NOW - 1 }, lane: 'primary', nowMs: NOW })).toBe('attempt');
  });

  it('in the slow lane: open → circuit-open, cooldown over → one probe, lease held → circuit-open', () => {
    expect(admitJob({ health: { breakerOpenUntil: NOW + 1 }, lane: 'slow', nowMs: NOW })).toBe(
      'circuit-open',
    );
    expect(admitJob({ health: { breakerOpenUntil: NOW }, lane: 'slow', nowMs: NOW })).toBe('probe');
    expect(
      admitJob({
        health: { breakerOpenUntil: NOW - 5, probeLeaseUntil: NOW + 100 },
        lane: 'slow',
        nowMs: NOW,
      }),
    ).toBe('circuit-open');
    expect(
      admitJob({ health: { breakerOpenUntil: NOW - 5, probeLeaseUntil: NOW - 1 }, lane: 'slow', nowMs: NOW }),
    ).toBe('probe');
  });
});

describe('admitJob for an operator-sent attempt (redrive, resend)', () => {
  it('is attempted in the slow lane whatever the breaker says, with no probe lease', () => {
    for (const health of [
      { breakerOpenUntil: NOW + 60_000 },
      { breakerOpenUntil: NOW - 5, probeLeaseUntil: NOW + 100 },
      { breakerOpenUntil: NOW - 5 },
      {},
    ]) {
      expect(admitJob({ health, lane: 'slow', nowMs: NOW, operatorSent: true })).toBe('attempt');
    }
  });

  it('still leaves the primary lane for a slow or failing endpoint', () => {
    expect(
      admitJob({ health: { breakerOpenUntil: NOW + 1 }, lane: 'primary', nowMs: NOW, operatorSent: true }),
    ).toBe('to-slow-lane');
    expect(
      admitJob({ health: { slowUntil: NOW + 1 }, lane: 'primary', nowMs: NOW, operatorSent: true }),
    ).toBe('to-slow-lane');
    expect(admitJob({ health: {}, lane: 'primary', nowMs: NOW, operatorSent: true })).toBe('attempt');
  });
});

describe('breaker transitions', () => {
  it('opens at the threshold, not before, and not again while open', () => {
    expect(
      breakerAfterFailure({ health: { consecutiveFailures: 4 }, policy, nowMs: NOW, wasProbe: false }),
    ).toBeUndefined();
    expect(
      breakerAfterFailure({ health: { consecutiveFailures: 5 }, policy, nowMs: NOW, wasProbe: false }),
    ).toEqual({
      breakerOpenUntil: NOW + 30_000,
      breakerOpenings: 1,
    });
    expect(
      breakerAfterFailure({
        health: { consecutiveFailures: 9, breakerOpenUntil: NOW + 10 },
        policy,
        nowMs: NOW,
        wasProbe: false,
      }),
    ).toBeUndefined();
  });

  it('a failed probe reopens it with a doubled cooldown, capped', () => {
    expect(
      breakerAfterFailure({
        health: { consecutiveFailures: 6, breakerOpenUntil: NOW - 1, breakerOpenings: 1 },
        policy,
        nowMs: NOW,
        wasProbe: true,
      }),
    ).toEqual({ breakerOpenUntil: NOW + 60_000, breakerOpenings: 2 });
    expect([1, 2, 3, 4, 5, 6].map((n) => cooldownMs(n, policy))).toEqual([
      30_000, 60_000, 120_000, 240_000, 300_000, 300_000,
    ]);
    expect(breakerState({ breakerOpenUntil: NOW + 1 }, NOW)).toBe('open');
    expect(breakerState({ breakerOpenUntil: NOW }, NOW)).toBe('half-open');
    expect(breakerState({}, NOW)).toBe('closed');
  });

  it('a success has nothing to clear on a healthy endpoint', () => {
    const fast = { answeredInMs: 200, slowAfterMs: 1_000 };
    const slow = { answeredInMs: 3_000, slowAfterMs: 1_000 };
    expect(healthClearedBySuccess({}, fast)).toEqual([]);
    expect(healthClearedBySuccess({ consecutiveFailures: 1 }, fast)).toEqual(['consecutiveFailures']);
    expect(healthClearedBySuccess({ slowUntil: NOW }, fast)).toEqual(['slowUntil']);
    const failing = {
      failingSince: 'x',
      consecutiveFailures: 6,
      breakerOpenUntil: NOW,
      breakerOpenings: 1,
      probeLeaseUntil: NOW,
      slowUntil: NOW,
    };
    expect(healthClearedBySuccess(failing, fast)).toEqual([
      'failingSince',
      'consecutiveFailures',
      'breakerOpenUntil',
      'breakerOpenings',
      'probeLeaseUntil',
      'slowUntil',
    ]);
    // A slow answer closes the breaker and ends the failure run, but the endpoint stays out of the primary lane.
    expect(healthClearedBySuccess(failing, slow)).not.toContain('slowUntil');
    expect(healthClearedBySuccess(failing, slow)).toHaveLength(5);
    expect(healthClearedBySuccess({ slowUntil: NOW }, slow)).toEqual([]);
  });
});
