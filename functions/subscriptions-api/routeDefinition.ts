/** What a route is: method, path template and handler, and the authenticated request it receives. */

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

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
