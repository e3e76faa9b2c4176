/** `GET /openapi.json`: the API's OpenAPI document. */

import type { RouteDefinition } from '../routeDefinition';

/** Public: the document describes the API, not any workspace's data. */
export function getOpenApiDocumentRoute(documentJson: () => string): RouteDefinition {
  return {
    method: 'GET',
    path: '/openapi.json',
    auth: false,
    async handle() {
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
        body: documentJson(),
      };
    },
  };
}
