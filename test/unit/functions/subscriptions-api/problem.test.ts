import { describe, expect, it } from 'vitest';
import { problemResponse, problems } from '../../../../functions/subscriptions-api/problem';

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
