import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import packageJson from '../../../../../package.json';
import { USER_AGENT } from '../../../../../shared/adapters/http/userAgent';
import {
  createWebhookHttpClient,
  RESPONSE_LOG_LIMIT_BYTES,
  type WebhookHttpClient,
} from '../../../../../shared/adapters/http/webhookHttpClient';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../../../../helpers/signatureVerifyingReceiver';

let receiver: SignatureVerifyingReceiver;
let client: WebhookHttpClient;
const lookups: string[] = [];

beforeAll(async () => {
  receiver = await startSignatureVerifyingReceiver();
  client = createWebhookHttpClient({
    policy: { allowLoopback: true },
    resolveHost: async (hostname) => {
      lookups.push(hostname);
      return hostname === 'receiver.test'
        ? [{ address: '127.0.0.1', family: 4 }]
        : [{ address: '10.1.2.3', family: 4 }];
    },
  });
});

afterAll(async () => {
  await client.close();
  await receiver.stop();
});

beforeEach(() => {
  receiver.requests.length = 0;
  lookups.length = 0;
  receiver.setDefaultResponse({ status: 204 });
});

const post = (path = '/hook', timeoutMs = 2_000) =>
  client.post({
    url: `${receiver.url}${path}`,
    body: '{"a":1}',
    headers: { 'webhook-id': 'msg_1' },
    timeoutMs,
  });

describe('webhookHttpClient', () => {
  it('POSTs the exact body with JSON content type, the product User-Agent and the given headers', async () => {
    const result = await post();

    expect(result).toMatchObject({ kind: 'response', status: 204 });
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.body).toBe('{"a":1}');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe(`crm-webhooks/${packageJson.version}`);
    expect(USER_AGENT).toBe(`crm-webhooks/${packageJson.version}`);
    expect(request.headers['webhook-id']).toBe('msg_1');
  });

  it('keeps only the first KB of a large response body', async () => {
    receiver.respondWith({ status: 500, body: 'é'.repeat(500_000) });

    const result = await post();

    expect(result.kind).toBe('response');
    if (result.kind !== 'response') return;
    expect(Buffer.byteLength(result.responseBody)).toBeLessThanOrEqual(RESPONSE_LOG_LIMIT_BYTES + 3);
    expect(result.responseBody.startsWith('éé')).toBe(true);
    // The client is still healthy afterwards.
    expect((await post()).kind).toBe('response');
  });

  it('returns a 3xx as is and never follows the redirect', async () => {
    receiver.respondWith({ status: 301, headers: { location: 'http://internal.test/admin' } });

    const result = await post();

    expect(result).toMatchObject({ kind: 'response', status: 301 });
    expect(receiver.requests).toHaveLength(1);
    expect(lookups).toEqual([]);
  });

  it('passes Retry-After through', async () => {
    receiver.respondWith({ status: 429, headers: { 'retry-after': '30' } });
    expect(await post()).toMatchObject({ kind: 'response', status: 429, retryAfter: '30' });
  });

  it('times out a slow receiver', async () => {
    receiver.respondWith({ status: 200, delayMs: 3_000 });

    const started = Date.now();
    const result = await post('/slow', 300);

    expect(result.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a refused connection as a connection error', async () => {
    const result = await client.post({
      url: 'http://127.0.0.1:1/',
      body: '{}',
      headers: {},
      timeoutMs: 2_000,
    });
    expect(result).toMatchObject({
      kind: 'connection-error',
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('reuses connections (keep-alive pool per origin) and resolves names through the guarded lookup', async () => {
    for (let i = 0; i < 5; i++) {
      const result = await client.post({
        url: `http://receiver.test:${receiver.port}/hook`,
        body: '{}',
        headers: {},
        timeoutMs: 2_000,
      });
      expect(result).toMatchObject({ kind: 'response', status: 204 });
    }
    // One lookup per new connection: five requests need far fewer than five (undici may open a
    // second socket when a request arrives just before the previous one released the first).
    expect(new Set(lookups)).toEqual(new Set(['receiver.test']));
    expect(lookups.length).toBeLessThanOrEqual(2);
  });
});

describe('webhookHttpClient with a body that never ends', () => {
  it('keeps the status of a response whose body stalls past the timeout', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const stalling = createWebhookHttpClient({ policy: { allowLoopback: true } });
    try {
      const result = await stalling.post({
        url: `http://127.0.0.1:${port}/`,
        body: '{}',
        headers: {},
        timeoutMs: 300,
      });
      expect(result).toMatchObject({ kind: 'response', status: 200 });
    } finally {
      await stalling.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ends a body that keeps dripping bytes at the overall deadline, keeping the status', async () => {
    const { createServer } = await import('node:http');
    const timers: NodeJS.Timeout[] = [];
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' });
      // Each byte arrives well within undici's idle body timeout; only the overall deadline stops it.
      timers.push(setInterval(() => res.write('.'), 50));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dripping = createWebhookHttpClient({ policy: { allowLoopback: true } });
    try {
      const started = Date.now();
      const result = await dripping.post({
        url: `http://127.0.0.1:${port}/`,
        body: '{}',
        headers: {},
        timeoutMs: 400,
      });
      expect(result).toMatchObject({ kind: 'response', status: 503 });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      for (const timer of timers) clearInterval(timer);
      await dripping.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('webhookHttpClient deadline while connecting', () => {
  it('answers timeout at the deadline while still connecting, and never sends the request', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    // The name takes 600 ms to resolve: the connection exists only after the 200 ms deadline.
    const slowLookup = createWebhookHttpClient({
      policy: { allowLoopback: true },
      resolveHost: async () => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    try {
      const started = Date.now();
      const result = await slowLookup.post({
        url: `http://slow-name.test:${port}/`,
        body: '{}',
        headers: {},
        timeoutMs: 200,
      });
      expect(result).toMatchObject({ kind: 'timeout' });
      expect(Date.now() - started).toBeLessThan(500);
      // Once connected, the request that outlived its deadline is called off before it is written.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(requests).toBe(0);
    } finally {
      await slowLookup.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('webhookHttpClient target URLs', () => {
  it('sends the path and query of each URL, and keeps refusing a refused one', async () => {
    const paths: string[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const strict = createWebhookHttpClient({ policy: { allowLoopback: false } });
    const loose = createWebhookHttpClient({ policy: { allowLoopback: true } });
    try {
      for (const path of ['/a?x=1&y=%20z', '/b#fragment', '/a?x=1&y=%20z']) {
        const sent = await loose.post({
          url: `http://127.0.0.1:${port}${path}`,
          body: '{}',
          headers: {},
          timeoutMs: 2_000,
        });
        expect(sent).toMatchObject({ kind: 'response', status: 204 });
      }
      expect(paths).toEqual(['/a?x=1&y=%20z', '/b', '/a?x=1&y=%20z']);
      for (let i = 0; i < 2; i++) {
        const refused = await strict.post({
          url: `http://127.0.0.1:${port}/a`,
          body: '{}',
          headers: {},
          timeoutMs: 2_000,
        });
        expect(refused).toMatchObject({ kind: 'blocked' });
        expect(
          await strict.post({ url: 'ftp://example.com/', body: '{}', headers: {}, timeoutMs: 2_000 }),
        ).toMatchObject({
          kind: 'blocked',
          error: expect.stringContaining('ftp:'),
        });
      }
      expect(paths).toHaveLength(3);
    } finally {
      await strict.close();
      await loose.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
