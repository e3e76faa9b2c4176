import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import type { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import type { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import type { DeliveryJobSender } from '../../shared/adapters/sqs/deliveryJobSender';
import type { SigningSecretStore } from '../../shared/domain/webhooks/signingSecretStore';
import type { SubscriptionsApiConfig } from './config';

export const HTTP_METHODS = ['GET', 'POST', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface AuthenticatedRequest {
  event: APIGatewayProxyEventV2;
  /** The workspace of the caller's API key: every route is scoped to it. */
  workspaceId: string;
}

export type RouteResult = APIGatewayProxyStructuredResultV2;

interface RouteBase {
  method: HttpMethod;
  /** Path template as API Gateway and the OpenAPI document write it, e.g. `/webhooks/{id}`. */
  path: string;
}

export type RouteDefinition =
  | (RouteBase & { auth: true; handle: (request: AuthenticatedRequest) => Promise<RouteResult> })
  | (RouteBase & { auth: false; handle: (event: APIGatewayProxyEventV2) => Promise<RouteResult> });

/** Everything a route may use: adapters built once per container, plus configuration. */
export interface RouteDeps {
  config: SubscriptionsApiConfig;
  webhooks: WebhookStore;
  secrets: SigningSecretStore;
  deliveryLog: DeliveryLogStore;
  sqs: SQSClient;
  /** Each webhook's dead letters (redrive, resend). */
  deadLetters: DeadLetterIndex;
  /** Sends jobs to the deliveries queue in batches (redrive, resend). */
  deliveryJobs: DeliveryJobSender;
  now: () => Date;
}
