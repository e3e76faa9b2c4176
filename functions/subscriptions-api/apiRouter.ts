/** Matches a request to its route (method and path template). */

import httpRouterHandler, { type RouteNotFoundResponseFn } from '@middy/http-router';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { problems } from './problem';
import type { RouteDefinition, RouteResult } from './routeDefinition';

/** Compiled like @middy/http-router does: `{param}` matches one segment, a trailing `/` is optional. */
function templatePattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/]+\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

export interface RouteMatcher {
  /** The route template for a path and method (`/webhooks/{id}`), for logs and metric dimensions. */
  templateFor(method: string, path: string): string | undefined;
  /** Methods some route accepts on this path (for 405 and its Allow header). */
  methodsFor(path: string): string[];
}

export function createRouteMatcher(routes: readonly RouteDefinition[]): RouteMatcher {
  const compiled = routes.map((route) => ({ route, pattern: templatePattern(route.path) }));
  return {
    templateFor(method, path) {
      return compiled.find(({ route, pattern }) => route.method === method && pattern.test(path))?.route.path;
    },
    methodsFor(path) {
      return [
        ...new Set(compiled.filter(({ pattern }) => pattern.test(path)).map(({ route }) => route.method)),
      ];
    },
  };
}

/**
 * The @middy/http-router dispatcher for the routes: authenticates before any route that needs it, and
 * answers unknown paths with 404, known paths with another method with 405 (Allow lists the methods),
 * and OPTIONS with 204 + Allow.
 */
export function createApiRouter(
  routes: readonly RouteDefinition[],
  authenticate: (event: APIGatewayProxyEventV2) => Promise<string>,
) {
  const matcher = createRouteMatcher(routes);
  return httpRouterHandler<APIGatewayProxyEventV2, RouteResult>({
    routes: routes.map((route) => ({
      method: route.method,
      path: route.path,
      handler: async (event: APIGatewayProxyEventV2) =>
        route.auth ? route.handle({ event, workspaceId: await authenticate(event) }) : route.handle(event),
    })),
    // Typed as throwing only, but the router returns what it returns: used for the OPTIONS answer.
    notFoundResponse: (({ method, path }: { method: string; path: string }) => {
      const allowed = matcher.methodsFor(path);
      if (allowed.length === 0) throw problems.notFound('No route matches this path.');
      const allow = [...allowed, 'OPTIONS'];
      if (method === 'OPTIONS') return { statusCode: 204, headers: { Allow: allow.join(', ') } };
      throw problems.methodNotAllowed(method, allow);
    }) as RouteNotFoundResponseFn,
  });
}
