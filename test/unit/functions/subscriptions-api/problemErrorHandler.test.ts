import { describe, expect, it } from 'vitest';
import { ProblemError, problems } from '../../../../functions/subscriptions-api/problem';
import { problemFor } from '../../../../functions/subscriptions-api/problemErrorHandler';
import { SecretStoreError } from '../../../../shared/adapters/secrets/secretStoreError';
import {
  InvalidCursorError,
  JobNotEnqueuedError,
  WebhookConflictError,
  WebhookDisabledError,
  WebhookNotFoundError,
} from '../../../../shared/domain/errors';

describe('problemFor', () => {
  it('maps domain and adapter errors to client statuses', () => {
    expect(problemFor(new WebhookNotFoundError('wh_1')).problem.status).toBe(404);
    expect(problemFor(new WebhookDisabledError('wh_1', 'test')).problem.status).toBe(409);
    expect(problemFor(new WebhookConflictError('wh_1')).problem.status).toBe(409);
    expect(problemFor(new InvalidCursorError()).problem).toMatchObject({
      status: 400,
      errors: [{ path: 'cursor' }],
    });
    expect(problemFor(new SecretStoreError('CreateSecret', new Error('x'))).problem.status).toBe(503);
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    expect(problemFor(throttled).problem.status).toBe(503);
    // A job the queue refused on its side (or throttled) can be sent again; one it refused as wrong cannot.
    expect(problemFor(new JobNotEnqueuedError('InternalError', false)).problem.status).toBe(503);
    expect(problemFor(new JobNotEnqueuedError('ThrottlingException', true)).problem.status).toBe(503);
    expect(problemFor(new JobNotEnqueuedError('InvalidMessageContents', true)).problem.status).toBe(500);
  });

  it('hides unexpected faults behind a generic 500', () => {
    const problem = problemFor(new TypeError('Cannot read properties of undefined (reading "secretName")'));
    expect(problem.problem.status).toBe(500);
    expect(JSON.stringify(problem.problem)).not.toContain('secretName');
    expect(problemFor('a string').problem.status).toBe(500);
    const own = problems.conflict('x');
    expect(problemFor(own)).toBe(own);
    expect(own).toBeInstanceOf(ProblemError);
  });
});
