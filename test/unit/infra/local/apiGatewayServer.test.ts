import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiGatewayServer,
  MAX_PAYLOAD_BYTES,
  startApiGatewayServer,
} from '../../../../infra/local/apiGatewayServer';
import type { LambdaHandler } from '../../../../infra/local/lambdaContext';

describe('local API Gateway (HTTP API, payload 2.0)', () => {
  let server: ApiGatewayServer;
  const events: APIGatewayProxyEventV2[] = [];
  const remaining: number[] = [];
  let respond: LambdaHandler<APIGatewayProxyEventV2, unknown> = async () => ({ statusCode: 204 });
  const reportedErrors: unknown[] = [];

  beforeAll(async () => {
    server = await startApiGatewayServer({
      port: 0,
      timeoutMs: 1_000,
      handler: (event, context) => {
        events.push(event);
        remaining.push(context.getRemainingTimeInMillis());
        return respond(event, context);
      },
      onHandlerError: (error) => reportedErrors.push(error),
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    events.length = 0;
    remaining.length = 0;
    reportedErrors.length = 0;
    respond = async () => ({ statusCode: 204 });
  });

  it('builds the payload 2.0 event: raw path and query, lower-cased comma-joined headers, cookies, text body', async () => {
    const headers = new Headers([
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Cookie', 'session=abc; theme=dark'],
      ['User-Agent', 'test-agent/1.0'],
    ]);
    const response = await fetch(`${server.url}/webhooks/wh%201?limit=5&tag=a&tag=b&q=%C3%A9`, {
      method: 'POST',
      headers,
      body: '{"targetUrl":"http://127.0.0.1:1/x"}',
    });
    expect(response.status).toBe(204);
    const event = events[0]!;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/webhooks/wh%201');
    expect(event.rawQueryString).toBe('limit=5&tag=a&tag=b&q=%C3%A9');
    expect(event.queryStringParameters).toEqual({ limit: '5', tag: 'a,b', q: 'é' });
    expect(event.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.body).toBe('{"targetUrl":"http://127.0.0.1:1/x"}');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http).toEqual({
      method: 'POST',
      path: '/webhooks/wh%201',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'test-agent/1.0',
    });
    expect(event.requestContext.stage).toBe('$default');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(remaining[0]).toBeGreaterThan(0);
    expect(remaining[0]).toBeLessThanOrEqual(1_000);
  });

  it('joins repeated headers with commas exactly like API Gateway', async () => {
    // fetch merges repeated headers itself; node:http sends them as separate lines.
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${server.url}/x`, { headers: { 'X-Multi': ['a', 'b'] } }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end();
    });
    expect(events[0]!.headers['x-multi']).toBe('a,b');
  });

  it('leaves out body and query parameters when there are none', async () => {
    await fetch(`${server.url}/openapi.json`);
    const event = events[0]!;
    expect(event.rawQueryString).toBe('');
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http.method).toBe('GET');
  });

  it('base64-encodes bodies that are not text', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await fetch(`${server.url}/upload`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(events[0]!.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]!.body!, 'base64')).toEqual(bytes);
  });

  it('writes back status, headers, cookies and base64 bodies from the handler result', async () => {
    respond = async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/problem+json', 'X-Count': 3 },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from('{"ok":true}').toString('base64'),
      isBase64Encoded: true,
    });
    const response = await fetch(`${server.url}/x`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-count')).toBe('3');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(response.headers.get('apigw-requestid')).toBe(events[0]!.requestContext.requestId);
    expect(await response.text()).toBe('{"ok":true}');
  });

  it('sends a result without statusCode as a 200 JSON body, like payload 2.0 does', async () => {
    respond = async () => ({ hello: 'world' });
    const response = await fetch(`${server.url}/x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it("answers API Gateway's own 500 when the handler throws, and reports the error", async () => {
    respond = async () => {
      throw new Error('boom');
    };
    const response = await fetch(`${server.url}/x`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(reportedErrors).toHaveLength(1);
  });

  it('answers 500 when the handler runs past the function timeout', async () => {
    respond = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 1_500));
    const response = await fetch(`${server.url}/x`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 500 for a response API Gateway cannot read', async () => {
    respond = async () => ({ statusCode: 'teapot' });
    const response = await fetch(`${server.url}/x`);
    expect(response.status).toBe(500);
  });

  it('rejects payloads over 10 MB with 413 without invoking the handler', async () => {
    const response = await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(events).toHaveLength(0);
  });

  it('accepts a payload of exactly 10 MB', async () => {
    const response = await fetch(`${server.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(MAX_PAYLOAD_BYTES, 0x61),
    });
    expect(response.status).toBe(204);
    expect(events[0]!.body).toHaveLength(MAX_PAYLOAD_BYTES);
  });
});
