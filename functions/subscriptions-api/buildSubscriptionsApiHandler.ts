import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
// Generated at build time (`npm run openapi`) and bundled as data: no generator in the function.
import openApiDocument from '../../docs/openapi.json';
import { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import type { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import type { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { DeliveryJobSender } from '../../shared/adapters/sqs/deliveryJobSender';
import type { SigningSecretStore } from '../../shared/domain/webhooks/signingSecretStore';
import { publishMetrics } from '../../shared/observability/publishMetrics';
import { API_KEY_CACHE_TTL_MS, ApiKeyAuthenticator, type WorkspaceLookup } from './apiKeyAuthenticator';
import { createApiRouter, createRouteMatcher } from './apiRouter';
import type { SubscriptionsApiConfig } from './config';
import { ConsoleAssets } from './consoleAssets';
import { logger, metrics } from './observability';
import { problemErrorHandler } from './problemErrorHandler';
import { requestObservability } from './requestObservability';
import type { RouteDefinition, RouteDeps } from './routeDefinition';
import { consoleRoutes } from './routes/consoleRoutes';
import { createWebhookRoute } from './routes/createWebhookRoute';
import { deleteWebhookRoute } from './routes/deleteWebhookRoute';
import { getOpenApiDocumentRoute } from './routes/getOpenApiDocumentRoute';
import { getWebhookRoute } from './routes/getWebhookRoute';
import { listDeliveriesRoute } from './routes/listDeliveriesRoute';
import { listObjectsRoute } from './routes/listObjectsRoute';
import { listWebhooksRoute } from './routes/listWebhooksRoute';
import { redriveDeadLettersRoute } from './routes/redriveDeadLettersRoute';
import { resendDeliveryRoute } from './routes/resendDeliveryRoute';
import { rotateSecretRoute } from './routes/rotateSecretRoute';
import { sendTestEventRoute } from './routes/sendTestEventRoute';
import { updateWebhookRoute } from './routes/updateWebhookRoute';

/**
 * No reporting endpoint is configured: without these two off, every answer carries an empty
 * `Reporting-Endpoints` header (and HTML an empty `Report-To`). middy 6's typings omit
 * `reportingEndpoints`, which its code reads like any other option.
 */
const WITHOUT_REPORTING_HEADERS = { reportingEndpoints: false, reportTo: false } as Parameters<
  typeof httpSecurityHeaders
>[0];

export interface SubscriptionsApiDeps {
  webhooks: WebhookStore;
  apiKeys: WorkspaceLookup;
  deliveryLog: DeliveryLogStore;
  secrets: SigningSecretStore;
  sqs: SQSClient;
  /** The client of the delivery log table, where each webhook's dead-letter index lives. */
  dynamo: DynamoDBClient;
  now?: () => Date;
  apiKeyCacheTtlMs?: number;
}

/** The API Gateway (HTTP API, payload 2.0) handler for the management API. */
export function buildSubscriptionsApiHandler(config: SubscriptionsApiConfig, deps: SubscriptionsApiDeps) {
  const now = deps.now ?? (() => new Date());
  const routeDeps: RouteDeps = {
    config,
    webhooks: deps.webhooks,
    secrets: deps.secrets,
    deliveryLog: deps.deliveryLog,
    sqs: deps.sqs,
    deadLetters: new DeadLetterIndex(deps.dynamo, config.deliveryLogTable),
    deliveryJobs: new DeliveryJobSender(deps.sqs, {
      queueUrl: config.deliveriesQueueUrl,
      // SQS's largest message: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
      maxMessageBytes: 1_048_576,
      concurrency: 4,
    }),
    now,
  };
  let documentJson: string | undefined;
  const routes: RouteDefinition[] = [
    createWebhookRoute(routeDeps),
    listWebhooksRoute(routeDeps),
    getWebhookRoute(routeDeps),
    updateWebhookRoute(routeDeps),
    deleteWebhookRoute(routeDeps),
    rotateSecretRoute(routeDeps),
    sendTestEventRoute(routeDeps),
    listDeliveriesRoute(routeDeps),
    redriveDeadLettersRoute(routeDeps),
    resendDeliveryRoute(routeDeps),
    listObjectsRoute(routeDeps),
    ...consoleRoutes(
      config.consoleAssetsDir === undefined ? undefined : new ConsoleAssets(config.consoleAssetsDir),
    ),
    getOpenApiDocumentRoute(() => {
      // The committed file's exact text (it is written with this indentation and final newline).
      documentJson ??= `${JSON.stringify(openApiDocument, null, 2)}\n`;
      return documentJson;
    }),
  ];
  const authenticator = new ApiKeyAuthenticator(
    deps.apiKeys,
    () => now().getTime(),
    deps.apiKeyCacheTtlMs ?? API_KEY_CACHE_TTL_MS,
  );
  const router = createApiRouter(routes, (event) => authenticator.workspaceFor(event.headers?.authorization));

  // onError runs innermost first: the problem response exists before logging, CORS and headers see it.
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(metrics, { captureColdStartMetric: true }))
    .use(
      // The console page sets its own Content-Security-Policy and Permissions-Policy
      // (consoleSecurityHeaders.ts); the middleware adds X-Frame-Options: DENY and the rest.
      httpSecurityHeaders({
        ...WITHOUT_REPORTING_HEADERS,
        contentSecurityPolicy: false,
        permissionsPolicy: false,
      }),
    )
    .use(
      httpCors({
        origin: '*',
        headers: 'Authorization, Content-Type',
        methods: 'GET, POST, PATCH, DELETE, OPTIONS',
        exposeHeaders: 'Location, Allow, WWW-Authenticate, Retry-After',
        maxAge: 600,
        // OPTIONS goes through the router, which knows which methods a path allows.
        disableBeforePreflightResponse: true,
      }),
    )
    .use(requestObservability(createRouteMatcher(routes)))
    .use(problemErrorHandler())
    .use(httpHeaderNormalizer())
    .handler(router);
}
