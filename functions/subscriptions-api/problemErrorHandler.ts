/** Turns every error into a problem+json response; maps domain and adapter errors to statuses. */

import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { SecretStoreError } from '../../shared/adapters/secrets/secretStoreError';
import {
  DeliveryNotRetainedError,
  InvalidCursorError,
  JobNotEnqueuedError,
  WebhookConflictError,
  WebhookDisabledError,
  WebhookNotFoundError,
  WorkspaceWebhookLimitError,
} from '../../shared/domain/errors';
import { ProblemError, problemResponse, problems } from './problem';

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
]);

/** The problem a failure means for the client; anything unexpected is a 500 without internals. */
export function problemFor(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof WebhookNotFoundError) return problems.notFound('No webhook has this id.');
  if (error instanceof WebhookDisabledError) return problems.conflict(error.message);
  if (error instanceof WorkspaceWebhookLimitError) return problems.conflict(error.message);
  if (error instanceof DeliveryNotRetainedError) return problems.notFound(error.message);
  if (error instanceof WebhookConflictError) {
    return problems.conflict('The webhook was changed concurrently by another request; retry.');
  }
  if (error instanceof InvalidCursorError) {
    return problems.validation([{ path: 'cursor', message: error.message }], 'query string');
  }
  if (error instanceof JobNotEnqueuedError) {
    // Refused on SQS's side (throttling, an outage) after the sender's retries: nothing was sent.
    return error.senderFault && !THROTTLING_ERRORS.has(error.code)
      ? problems.internal()
      : problems.serviceUnavailable('The delivery queue is busy; nothing was sent. Retry shortly.');
  }
  if (error instanceof SecretStoreError) {
    return problems.serviceUnavailable(
      'The secret store is unavailable; nothing was changed. Retry shortly.',
    );
  }
  if (error instanceof Error && THROTTLING_ERRORS.has(error.name)) {
    return problems.serviceUnavailable('The service is busy; retry shortly.');
  }
  return problems.internal();
}

/** Turns every error into an application/problem+json response; server faults are logged, not shown. */
export function problemErrorHandler(
  logger: Pick<Logger, 'error'>,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const problem = problemFor(request.error);
      if (problem.problem.status >= 500) {
        logger.error('request failed', { error: request.error as Error, status: problem.problem.status });
      }
      request.response = problemResponse(problem);
    },
  };
}
