/** Validates a request's body, query and path ids against their schemas, as problem `errors`. */

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { type FieldError, problems } from './problem';
import { deliveryParamsSchema, webhookIdParamsSchema } from './schemas';

/** zod issues as problem `errors`, one per field; unknown keys are listed one by one. */
function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: path === '' ? key : `${path}.${key}`,
        message: 'is not a known field',
      }));
    }
    return [{ path, message: issue.message }];
  });
}

export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw problems.validation([{ path: '', message: 'must be a JSON object' }]);
  }
  const result = z.safeParse(schema, body);
  if (!result.success) throw problems.validation(fieldErrors(result.error.issues));
  return result.data;
}

export function parseQuery<S extends z.ZodMiniType>(schema: S, event: APIGatewayProxyEventV2): z.output<S> {
  const result = z.safeParse(schema, event.queryStringParameters ?? {});
  if (!result.success) throw problems.validation(fieldErrors(result.error.issues), 'query string');
  return result.data;
}

/** A malformed id cannot name a webhook: it answers the same 404 as an unknown one. */
export function webhookIdFrom(event: APIGatewayProxyEventV2): string {
  const result = z.safeParse(webhookIdParamsSchema, event.pathParameters ?? {});
  if (!result.success) throw problems.notFound('No webhook has this id.');
  return result.data.id;
}

/** A malformed delivery id cannot name a delivery: the same 404 as an unknown one. */
export function deliveryIdFrom(event: APIGatewayProxyEventV2): string {
  const result = z.safeParse(deliveryParamsSchema, event.pathParameters ?? {});
  if (!result.success) throw problems.notFound('No delivery of this webhook has this id.');
  return result.data.deliveryId;
}
