/** One log line and one set of metrics per API request. */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { SUBSCRIPTIONS_API_METRICS } from '../../shared/observability/metricCatalog';
import type { RouteMatcher } from './apiRouter';
import { HTTP_METHODS } from './routeDefinition';

const KNOWN_METHODS = new Set<string>([...HTTP_METHODS, 'OPTIONS', 'HEAD']);

/**
 * One log line and one set of EMF metrics per request: method, route template (never the raw path:
 * it holds ids and would explode metric cardinality), status and latency. Never bodies or headers.
 */
export function requestObservability(
  matcher: RouteMatcher,
  {
    logger,
    metrics,
  }: { logger: Pick<Logger, 'info'>; metrics: Pick<Metrics, 'addDimensions' | 'addMetric'> },
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const startedAt = new WeakMap<object, number>();
  const record = async (request: middy.Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2>) => {
    const latencyMs = Date.now() - (startedAt.get(request) ?? Date.now());
    const rawMethod = request.event.requestContext?.http?.method ?? '';
    const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : 'OTHER';
    const template = matcher.templateFor(rawMethod, request.event.requestContext?.http?.path ?? '');
    const route = template === undefined ? 'unmatched' : `${method} ${template}`;
    const response = request.response;
    const status = typeof response === 'object' && response?.statusCode ? response.statusCode : 500;
    const statusClass = `${Math.floor(status / 100)}xx`;
    logger.info('request', { method, route, status, latencyMs });
    metrics.addDimensions({ route, statusClass });
    metrics.addMetric('Requests', SUBSCRIPTIONS_API_METRICS.Requests.unit, 1);
    metrics.addMetric('Latency', SUBSCRIPTIONS_API_METRICS.Latency.unit, latencyMs);
  };
  return {
    before: async (request) => {
      startedAt.set(request, Date.now());
    },
    after: record,
    onError: record,
  };
}
