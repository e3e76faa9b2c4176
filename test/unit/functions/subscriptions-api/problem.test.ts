import { describe, expect, it } from 'vitest';
import { ProblemError, problemResponse, problems } from '../../../../functions/subscriptions-api/problem';
import { problemFor } from '../../../../functions/subscriptions-api/problemErrorHandler';
import { SecretStoreError } from '../../../../shared/adapters/secrets/secretStoreError';
import {
  InvalidCursorError,
  JobNotEnqueuedError,
  WebhookConflictError,
  WebhookDisabledError,
  WebhookNotFoundError,
} from '../../../../shared/domain/errors';

describe('problem responses', () => {
  it('are RFC 9457 problem+json with the status in the body and the response', () => {
    const response = problemResponse(problems.validation([{ path: 'targetUrl', message: 'must use https' }]));
    expect(response.statusCode).toBe(400);
    expect(response.headers).toEqual({ 'Content-Type': 'application/problem+json' });
    expect(JSON.parse(response.body!)).toEqual({
      type: 'urn:crm-webhooks:problem:validation-error',
      title: 'Invalid request',
      status: 400,
      detail: 'The request body has an invalid field.',
      errors: [{ path: 'targetUrl', message: 'must use https' }],
    });
  });

  it('carry the headers their status needs', () => {
    expect(problemResponse(problems.unauthorized('no key')).headers).toMatchObject({
      'WWW-Authenticate': 'Bearer realm="crm-webhooks"',
    });
    const notAllowed = problemResponse(problems.methodNotAllowed('PUT', ['GET', 'POST']));
    expect(notAllowed.statusCode).toBe(405);
    expect(notAllowed.headers).toMatchObject({ Allow: 'GET, POST' });
    expect(problemResponse(problems.serviceUnavailable('busy')).headers).toMatchObject({
      'Retry-After': '5',
    });
  });

  it('cap the number of field errors', () => {
    const errors = Array.from({ length: 500 }, (_, i) => ({ path: `f${i}`, message: 'bad' }));
    const body = JSON.parse(problemResponse(problems.validation(errors)).body!);
    expect(body.errors).toHaveLength(50);
    expect(body.detail).toBe('The request body has 500 invalid fields.');
  });
});

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
