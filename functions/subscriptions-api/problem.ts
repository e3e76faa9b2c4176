/** RFC 9457 problem details: the API's error responses. */

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** One bad input field: `path` is dotted (`operations.2`), empty for the body as a whole. */
export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, as every error response of the API carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Problem types are stable identifiers (listed in docs/api.md), not links. */
const TYPE_BASE = 'urn:crm-webhooks:problem:';

/** Responses listing field errors stay small however many fields a client gets wrong. */
const MAX_FIELD_ERRORS = 50;

/** A client or server fault that must reach the client as problem+json with this status. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}

function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  headers?: Record<string, string>,
  errors?: FieldError[],
): ProblemError {
  return new ProblemError(
    {
      type: `${TYPE_BASE}${slug}`,
      title,
      status,
      detail,
      ...(errors === undefined ? {} : { errors: errors.slice(0, MAX_FIELD_ERRORS) }),
    },
    headers,
  );
}

export const problems = {
  validation: (errors: FieldError[], what = 'request body') =>
    problem(
      400,
      'validation-error',
      'Invalid request',
      `The ${what} has ${errors.length === 1 ? 'an invalid field' : `${errors.length} invalid fields`}.`,
      undefined,
      errors,
    ),
  badRequest: (detail: string) => problem(400, 'bad-request', 'Bad request', detail),
  malformedJson: (detail: string) => problem(400, 'malformed-json', 'Malformed JSON', detail),
  unauthorized: (detail: string) =>
    problem(401, 'unauthorized', 'Unauthorized', detail, {
      'WWW-Authenticate': 'Bearer realm="crm-webhooks"',
    }),
  notFound: (detail: string) => problem(404, 'not-found', 'Not found', detail),
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    problem(
      405,
      'method-not-allowed',
      'Method not allowed',
      `${method} is not allowed here; use ${allowed.join(', ')}.`,
      {
        Allow: allowed.join(', '),
      },
    ),
  conflict: (detail: string) => problem(409, 'conflict', 'Conflict', detail),
  payloadTooLarge: (limit: number) =>
    problem(413, 'payload-too-large', 'Payload too large', `The request body exceeds ${limit} bytes.`),
  unsupportedMediaType: (detail: string) =>
    problem(415, 'unsupported-media-type', 'Unsupported media type', detail),
  serviceUnavailable: (detail: string) =>
    problem(503, 'service-unavailable', 'Service unavailable', detail, { 'Retry-After': '5' }),
  internal: () =>
    problem(
      500,
      'internal-error',
      'Internal server error',
      'The request could not be completed because of a server fault. It is safe to retry.',
    ),
};

/** The API Gateway v2 response for a problem. */
export function problemResponse(error: ProblemError): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: error.problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...error.headers },
    body: JSON.stringify(error.problem),
  };
}
