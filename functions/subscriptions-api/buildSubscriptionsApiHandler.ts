/** The management API's handler: middy middlewares, authentication, routing and problem responses. */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
// Generated at build time (`npm run openapi`) and bundled as data: no generator in the function.
import openApiDocument from '../../docs/openapi.json';
import type { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import type { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import type { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import type { DeliveryJobSender } from '../../shared/adapters/sqs/deliveryJobSender';
import type { SigningSecretStore } from '../../shared/domain/webhooks/signingSecretStore';
import { publishMetrics } from '../../shared/observability/publishMetrics';
import { API_KEY_CACHE_TTL_MS, ApiKeyAuthenticator, type WorkspaceLookup } from './apiKeyAuthenticator';
import { createApiRouter, createRouteMatcher } from './apiRouter';
import type { SubscriptionsApiConfig } from './config';
import { ConsoleAssets } from './consoleAssets';
import { problemErrorHandler } from './problemErrorHandler';
import { requestObservability } from './requestObservability';
import type { RouteDefinition } from './routeDefinition';
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

/**
 * Everything the API uses besides its configuration, built once per container by
 * `createSubscriptionsApiDependencies` (tests pass emulator-backed ones). Routes receive it whole;
 * each service names the narrow slice it uses.
 */
export interface SubscriptionsApiDependencies {
  webhooks: Pick<WebhookStore, 'get' | 'list' | 'countInWorkspace' | 'create' | 'update' | 'delete'>;
  apiKeys: WorkspaceLookup;
  /** The attempt log (`GET /webhooks/{id}/deliveries`). */
  deliveryLog: Pick<DeliveryLogStore, 'list'>;
  /** Each webhook's dead letters (redrive, resend). */
  deadLetters: Pick<DeadLetterIndex, 'list' | 'get' | 'remove'>;
  /** Sends jobs to the deliveries queue in SendMessageBatch requests (test event, redrive, resend). */
  jobSender: Pick<DeliveryJobSender, 'send'>;
  secrets: SigningSecretStore;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  apiKeyCacheTtlMs?: number;
}

/** The API Gateway (HTTP API, payload 2.0) handler for the management API. */
export function buildSubscriptionsApiHandler(
  config: SubscriptionsApiConfig,
  deps: SubscriptionsApiDependencies,
) {
  const { logger, metrics, now } = deps;
  let documentJson: string | undefined;
  const routes: RouteDefinition[] = [
    createWebhookRoute(config, deps),
    listWebhooksRoute(deps),
    getWebhookRoute(deps),
    updateWebhookRoute(config, deps),
    deleteWebhookRoute(deps),
    rotateSecretRoute(config, deps),
    sendTestEventRoute(deps),
    listDeliveriesRoute(deps),
    redriveDeadLettersRoute(config, deps),
    resendDeliveryRoute(deps),
    listObjectsRoute(config),
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
    .use(requestObservability(createRouteMatcher(routes), { logger, metrics }))
    .use(problemErrorHandler(logger))
    .use(httpHeaderNormalizer())
    .handler(router);
}
