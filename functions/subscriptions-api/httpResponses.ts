/** JSON and empty responses of the API (with `Cache-Control: no-store` when they carry a secret). */

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * A JSON answer that carries a secret (create, rotate): `Cache-Control: no-store` keeps browsers, proxies
 * and CDNs from storing it (RFC 9111 §5.2.2.5).
 */
export function secretBearingJsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(statusCode, body, { ...headers, 'Cache-Control': 'no-store' });
}

export function noContentResponse(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 204, headers: {} };
}
