/** A handler's result as the HTTP answer an API Gateway HTTP API sends (payload format 2.0). */

import type { ServerResponse } from 'node:http';

export interface GatewayReply {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** What API Gateway answers itself, in its own shape (`{"message": ...}`), when the integration fails. */
export function gatewayError(statusCode: number, message: string): GatewayReply {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export const INTERNAL_SERVER_ERROR = () => gatewayError(500, 'Internal Server Error');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Interprets a handler result the way an HTTP API does for payload format 2.0: a result with a
 * `statusCode` is a full response; any other JSON value is sent as a 200 `application/json` body;
 * a response API Gateway cannot read (bad status, unserializable body) becomes its 500.
 */
export function toGatewayReply(result: unknown): GatewayReply {
  if (!isRecord(result) || !('statusCode' in result)) {
    if (result === undefined) return { statusCode: 200, headers: {}, body: Buffer.alloc(0) };
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result)),
    };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return INTERNAL_SERVER_ERROR();
  const headers: Record<string, string | string[]> = {};
  if (isRecord(result.multiValueHeaders)) {
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (Array.isArray(values)) headers[name.toLowerCase()] = values.map(String).join(',');
    }
  }
  if (isRecord(result.headers)) {
    for (const [name, value] of Object.entries(result.headers)) {
      const text = headerValue(value);
      if (text !== undefined) headers[name.toLowerCase()] = text;
    }
  }
  if (Array.isArray(result.cookies) && result.cookies.length > 0) {
    headers['set-cookie'] = result.cookies.map(String);
  }
  let body: Buffer;
  if (result.body === undefined || result.body === null) body = Buffer.alloc(0);
  else if (typeof result.body !== 'string') return INTERNAL_SERVER_ERROR();
  else body = Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8');
  return { statusCode, headers, body };
}

export function writeGatewayReply(response: ServerResponse, reply: GatewayReply, requestId: string): void {
  if (response.headersSent) return;
  response.writeHead(reply.statusCode, {
    ...reply.headers,
    'apigw-requestid': requestId,
    'content-length': String(reply.body.length),
  });
  response.end(reply.body);
}
