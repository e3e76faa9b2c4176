import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { queryStringParameters } from '../../infra/local/apiGatewayEvent';

export interface ApiRequestOptions {
  method: string;
  /** Path with an optional query string, e.g. `/webhooks?limit=2`. */
  path: string;
  /** Bearer API key; sets `authorization`. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Objects are JSON-encoded (with `content-type: application/json` unless headers say otherwise). */
  body?: unknown;
  /** Send the body base64-encoded, as API Gateway does for non-text media types. */
  base64?: boolean;
  /** Sets `isBase64Encoded` without encoding the body (to send invalid base64). */
  claimBase64?: boolean;
}

/**
 * An API Gateway HTTP API event (payload format 2.0, `$default` route and stage), as the real service
 * builds it: lower-case header names, `rawPath`/`requestContext.http.path`, decoded query parameters.
 */
export function apiGatewayEvent(options: ApiRequestOptions): APIGatewayProxyEventV2 {
  const now = new Date();
  const queryStart = options.path.indexOf('?');
  const rawPath = queryStart === -1 ? options.path : options.path.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : options.path.slice(queryStart + 1);
  const headers: Record<string, string> = {
    host: 'api.example.com',
    'user-agent': 'curl/8.5.0',
    'x-forwarded-proto': 'https',
  };
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const requestId = randomUUID();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: options.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  const query = queryStringParameters(rawQueryString);
  if (query) event.queryStringParameters = query;
  if (body !== undefined) {
    event.body = options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body;
    event.isBase64Encoded = options.base64 === true || options.claimBase64 === true;
  }
  return event;
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(functionName = 'subscriptions-api'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when empty). */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary response JSON
  json: any;
  rawBody: string | undefined;
}

/** Normalizes a handler result (header names lower-cased, JSON parsed) for assertions. */
export function apiResponse(result: APIGatewayProxyResultV2): ApiResponse {
  const structured = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  const rawBody = structured.body;
  let json: unknown;
  if (rawBody !== undefined && rawBody !== '') {
    json = headers['content-type']?.includes('json') ? JSON.parse(rawBody) : rawBody;
  }
  return { status: structured.statusCode ?? 200, headers, json, rawBody };
}
