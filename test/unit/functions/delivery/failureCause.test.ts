import { describe, expect, it } from 'vitest';
import { failureCauseOf } from '../../../../functions/delivery/failureCause';
import { classifyAttemptOutcome } from '../../../../shared/domain/retry';

describe('failureCauseOf', () => {
  it.each([
    [{ kind: 'response', status: 301 } as const, 'http-3xx'],
    [{ kind: 'response', status: 308 } as const, 'http-3xx'],
    [{ kind: 'response', status: 400 } as const, 'http-4xx'],
    [{ kind: 'response', status: 404 } as const, 'http-4xx'],
    [{ kind: 'response', status: 429 } as const, 'http-429'],
    [{ kind: 'response', status: 500 } as const, 'http-5xx'],
    [{ kind: 'response', status: 503 } as const, 'http-5xx'],
    [{ kind: 'response', status: 102 } as const, 'http-other'],
    [{ kind: 'timeout' } as const, 'timeout'],
    [{ kind: 'connection-error' } as const, 'connection'],
    [{ kind: 'blocked' } as const, 'blocked'],
  ])('groups the domain cause of %o as %s', (result, expected) => {
    expect(failureCauseOf(classifyAttemptOutcome(result).cause)).toBe(expected);
  });
});
