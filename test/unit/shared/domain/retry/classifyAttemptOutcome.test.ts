import { describe, expect, it } from 'vitest';
import { classifyAttemptOutcome } from '../../../../../shared/domain/retry';

describe('classifyAttemptOutcome', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyAttemptOutcome({ kind: 'response', status })).toEqual({
      outcome: 'delivered',
      cause: `http-${status}`,
    });
  });

  it('410 Gone means the endpoint is gone (the webhook gets disabled)', () => {
    expect(classifyAttemptOutcome({ kind: 'response', status: 410 })).toEqual({
      outcome: 'gone',
      cause: 'http-410',
    });
  });

  it.each([100, 199, 301, 302, 304, 307, 308, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504, 599])(
    '%i is retried',
    (status) => {
      expect(classifyAttemptOutcome({ kind: 'response', status, retryAfter: '5' })).toEqual({
        outcome: 'retry',
        cause: `http-${status}`,
      });
    },
  );

  it('timeouts, connection errors and blocked addresses are retried with a named cause', () => {
    expect(classifyAttemptOutcome({ kind: 'timeout' })).toEqual({ outcome: 'retry', cause: 'timeout' });
    expect(classifyAttemptOutcome({ kind: 'connection-error' })).toEqual({
      outcome: 'retry',
      cause: 'connection-error',
    });
    expect(classifyAttemptOutcome({ kind: 'blocked' })).toEqual({
      outcome: 'retry',
      cause: 'blocked-address',
    });
  });
});
