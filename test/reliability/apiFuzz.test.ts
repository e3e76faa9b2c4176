import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printFigures } from './deliveryLedger';
import { type ReliabilityRuntime, startReliabilityRuntime } from './reliabilityRuntime';

interface RawAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** One request with exactly these bytes (node:http allows any method, path and header fetch would refuse). */
function rawRequest(
  baseUrl: string,
  {
    method,
    path,
    headers,
    body,
  }: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<RawAnswer | 'client-refused'> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'],
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
    } catch {
      // node:http itself refuses some request lines (control characters): nothing reaches the server.
      resolve('client-refused');
      return;
    }
    req.on('error', reject);
    req.end(body);
  });
}

const oddSegment = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom(
    '%00',
    '%2F',
    '%2e%2e',
    '..',
    '.',
    '__proto__',
    'constructor',
    '%E2%82',
    '%FF',
    '%',
    '%zz',
    '😀',
    '{id}',
  ),
  fc.stringMatching(/^wh_[A-Za-z0-9_-]{0,40}$/),
);

const path = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constant('/webhooks'), weight: 4 },
      { arbitrary: fc.constant('/webhooks/EXISTING'), weight: 3 },
      fc.constant('/openapi.json'),
      fc
        .tuple(
          fc.oneof(fc.constant('EXISTING'), oddSegment),
          fc.constantFrom('', '/test', '/rotate-secret', '/deliveries', '/redrive', '/', '//', '/x'),
        )
        .map(([id, suffix]) => `/webhooks/${id}${suffix}`),
      fc.array(oddSegment, { maxLength: 6 }).map((s) => `/${s.join('/')}`),
      fc.constantFrom(
        '//webhooks',
        '/webhooks/../openapi.json',
        '/WEBHOOKS',
        `/${'a'.repeat(6000)}`,
        '/webhooks?',
      ),
    ),
    fc.oneof(
      fc.constant(''),
      fc.constantFrom(
        '?limit=-1',
        '?limit=1e9',
        '?limit=NaN',
        '?cursor=%00',
        '?cursor=eyJ9',
        '?limit=1&limit=2',
      ),
      fc
        .tuple(fc.constantFrom('limit', 'cursor', 'x', '__proto__'), fc.string({ maxLength: 40 }))
        .map(([k, v]) => `?${k}=${encodeURIComponent(v)}`),
    ),
  )
  .map(([p, q]) => p + q);

const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'), weight: 8 },
  // Methods outside http.METHODS never get past an HTTP parser (API Gateway's or Node's): not our code.
  fc.constantFrom('PUT', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'PURGE', 'MKCOL', 'SEARCH'),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/json;;;',
  '*/*',
  '',
);

const webhookLike = fc.record(
  {
    targetUrl: fc.oneof(
      fc.webUrl(),
      fc.constantFrom(
        'http://127.0.0.1:1/x',
        'https://[::1]/',
        'javascript:alert(1)',
        'file:///etc/passwd',
        '',
      ),
      fc.string({ maxLength: 3000 }),
    ),
    operations: fc.oneof(
      fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('*.*', 'person.created', 'person.*')), {
        maxLength: 60,
      }),
      fc.jsonValue(),
    ),
    description: fc.oneof(fc.string({ maxLength: 2000 }), fc.jsonValue()),
    payloadFormat: fc.oneof(fc.constantFrom('twenty', 'standard', 'default'), fc.jsonValue()),
    status: fc.oneof(fc.constantFrom('active', 'disabled'), fc.jsonValue()),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/** Bodies the API should accept, with generated but valid values, so successful paths get fuzzed too. */
const validWebhook = fc.record(
  {
    targetUrl: fc.webPath().map((p) => `http://127.0.0.1:9/${encodeURI(p).replace(/^\/+/, '')}`),
    operations: fc.uniqueArray(
      fc.constantFrom('*.*', 'person.*', '*.created', 'company.updated', 'note.deleted'),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    description: fc.string({ maxLength: 200 }),
    payloadFormat: fc.constantFrom('twenty', 'default'),
  },
  { requiredKeys: ['targetUrl'] },
);

const bodyBytes = fc.oneof(
  { arbitrary: validWebhook.map((v) => Buffer.from(JSON.stringify(v))), weight: 4 },
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: webhookLike.map((v) => Buffer.from(JSON.stringify(v))), weight: 6 },
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    Buffer.from('{"targetUrl":"\ud800"}'),
    Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    Buffer.from('{"__proto__":{"polluted":true},"targetUrl":"https://example.com"}'),
    Buffer.from('{"targetUrl":"https://example.com","targetUrl":"http://127.0.0.1"}'),
  ),
);

const headers = fc.record(
  {
    contentType,
    authorization: fc.constantFrom(
      'VALID',
      'VALID',
      'VALID',
      'none',
      'Bearer x',
      'Bearer VALIDVALID',
      'Basic Og==',
    ),
    contentEncoding: fc.constantFrom(undefined, undefined, 'gzip', 'deflate', 'br', 'identity', 'bogus'),
    gzipBody: fc.boolean(),
    extra: fc.dictionary(
      fc.stringMatching(/^x-[a-z-]{1,20}$/),
      fc.string({ unit: 'binary-ascii', maxLength: 50 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      { maxKeys: 4 },
    ),
    accept: fc.constantFrom(undefined, 'application/json', 'text/html', '*/*', 'application/problem+json'),
  },
  { requiredKeys: ['authorization', 'gzipBody'] },
);

describe('API fuzz over HTTP against the running local API', () => {
  let rt: ReliabilityRuntime;
  let existingId: string;
  /** Never named by a generated request: must come through the fuzz unchanged. */
  let sentinel: { id: string; targetUrl: string; description: string };
  const statuses = new Map<number, number>();
  const problemsSeen: string[] = [];

  beforeAll(async () => {
    rt = await startReliabilityRuntime();
    const created = await rt.api<{ id: string }>('POST', '/webhooks', {
      targetUrl: 'http://127.0.0.1:9/fuzz',
    });
    existingId = created.body.id;
    const made = await rt.api<typeof sentinel>('POST', '/webhooks', {
      targetUrl: 'http://127.0.0.1:9/sentinel',
      description: 'sentinel',
    });
    sentinel = made.body;
  }, 90_000);

  afterAll(async () => {
    await rt?.stop();
  }, 60_000);

  function check(label: string, answer: RawAnswer, methodName: string): void {
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    if (answer.status >= 500)
      problemsSeen.push(`${answer.status} for ${label}: ${answer.body.slice(0, 300)}`);
    // API Gateway answers requests over its 10 MB payload limit itself, before any function runs.
    const gatewayOwnAnswer =
      answer.status === 413 && answer.body === '{"message":"Request Entity Too Large"}';
    if (answer.status >= 400 && methodName !== 'HEAD' && !gatewayOwnAnswer) {
      if (answer.contentType !== 'application/problem+json') {
        problemsSeen.push(
          `${answer.status} as ${answer.contentType} for ${label}: ${answer.body.slice(0, 200)}`,
        );
        return;
      }
      const problem = JSON.parse(answer.body) as { status?: number; title?: string };
      if (problem.status !== answer.status || typeof problem.title !== 'string') {
        problemsSeen.push(`malformed problem for ${label}: ${answer.body.slice(0, 200)}`);
      }
    }
  }

  it('answers generated requests without a 5xx, every error as problem+json', async () => {
    const started = Date.now();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(method, path, headers, bodyBytes, async (m, p, h, body) => {
        const requestHeaders: Record<string, string> = { ...h.extra };
        if (h.contentType !== undefined) requestHeaders['content-type'] = h.contentType;
        if (h.accept !== undefined) requestHeaders.accept = h.accept;
        if (h.authorization === 'VALID') requestHeaders.authorization = `Bearer ${rt.apiKey}`;
        else if (h.authorization !== 'none') {
          requestHeaders.authorization = h.authorization.replace('VALID', rt.apiKey);
        }
        let bytes = body;
        if (bytes && h.contentEncoding !== undefined) {
          requestHeaders['content-encoding'] = h.contentEncoding;
          if (h.gzipBody) bytes = gzipSync(bytes);
        }
        const finalPath = p.replace('EXISTING', existingId);
        const answer = await rawRequest(rt.runtime.apiUrl, {
          method: m,
          path: finalPath,
          headers: requestHeaders,
          ...(bytes ? { body: bytes } : {}),
        });
        if (answer === 'client-refused') return;
        sent++;
        check(`${m} ${finalPath.slice(0, 80)} ${JSON.stringify(h).slice(0, 120)}`, answer, m);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
    printFigures('api fuzz', {
      requests: sent,
      statuses: JSON.stringify(Object.fromEntries(statuses)),
      fiveHundreds: [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0),
      durationMs: Date.now() - started,
    });
    expect(problemsSeen).toEqual([]);
  }, 120_000);

  it('creates, reads and patches webhooks from generated bodies without a 5xx', async () => {
    const created: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validWebhook, webhookLike),
        fc.oneof(validWebhook, webhookLike),
        async (createBody, patchBody) => {
          const headers = { authorization: `Bearer ${rt.apiKey}`, 'content-type': 'application/json' };
          const answer = await rawRequest(rt.runtime.apiUrl, {
            method: 'POST',
            path: '/webhooks',
            headers,
            body: Buffer.from(JSON.stringify(createBody)),
          });
          if (answer === 'client-refused') throw new Error('node refused a plain request');
          check(`POST /webhooks ${JSON.stringify(createBody).slice(0, 200)}`, answer, 'POST');
          if (answer.status !== 201) return;
          const id = (JSON.parse(answer.body) as { id: string }).id;
          created.push(id);
          for (const [m, body] of [
            ['PATCH', Buffer.from(JSON.stringify(patchBody))],
            ['GET', undefined],
          ] as const) {
            const next = await rawRequest(rt.runtime.apiUrl, {
              method: m,
              path: `/webhooks/${id}`,
              headers,
              ...(body ? { body } : {}),
            });
            if (next === 'client-refused') throw new Error('node refused a plain request');
            check(`${m} /webhooks/${id} ${JSON.stringify(patchBody).slice(0, 200)}`, next, m);
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) / 4 },
    );
    printFigures('api fuzz, webhook bodies', { created: created.length });
    expect(created.length).toBeGreaterThan(0);
    expect(problemsSeen).toEqual([]);
  }, 120_000);

  it('survives huge and deeply nested JSON bodies', async () => {
    const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const nestedInField = (depth: number) =>
      `{"targetUrl":"https://example.com/x","description":${nestedObject(depth)}}`;
    const bodies: [string, string | Buffer][] = [
      ['array depth 1000', nestedArray(1_000)],
      ['array depth 10000', nestedArray(10_000)],
      ['object depth 5000', nestedObject(5_000)],
      ['nested in a field, depth 10000', nestedInField(10_000)],
      [
        'operations: 100k entries',
        JSON.stringify({ targetUrl: 'https://example.com/x', operations: Array(100_000).fill('*.*') }),
      ],
      [
        'just under the API limit',
        JSON.stringify({ targetUrl: 'https://example.com/x', description: 'd'.repeat(60_000) }),
      ],
      [
        '1 MB string',
        JSON.stringify({ targetUrl: 'https://example.com/x', description: 'd'.repeat(1_000_000) }),
      ],
      ['over the gateway limit (10 MB + 1)', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)],
      ['many keys', JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])))],
    ];
    for (const [label, body] of bodies) {
      for (const [m, p] of [
        ['POST', '/webhooks'],
        ['PATCH', `/webhooks/${existingId}`],
      ] as const) {
        const answer = await rawRequest(rt.runtime.apiUrl, {
          method: m,
          path: p,
          headers: { authorization: `Bearer ${rt.apiKey}`, 'content-type': 'application/json' },
          body: Buffer.isBuffer(body) ? body : Buffer.from(body),
        });
        if (answer === 'client-refused') throw new Error('node refused a plain request');
        check(`${m} ${p} ${label}`, answer, m);
        expect(answer.status, `${m} ${label}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${m} ${label}`).toBeLessThan(500);
      }
    }
    expect(problemsSeen).toEqual([]);
  }, 60_000);

  it('answers concurrent changes to one webhook without a 5xx (conflicts are 409 problems)', async () => {
    const made = await rt.api<{ id: string }>('POST', '/webhooks', { targetUrl: 'http://127.0.0.1:9/race' });
    const id = made.body.id;
    const headers = { authorization: `Bearer ${rt.apiKey}`, 'content-type': 'application/json' };
    const requests = Array.from({ length: 40 }, (_, i) => {
      const kind = i % 5;
      if (kind === 0) return { method: 'POST', path: `/webhooks/${id}/rotate-secret` };
      if (kind === 1) return { method: 'POST', path: `/webhooks/${id}/test` };
      if (kind === 2)
        return { method: 'PATCH', path: `/webhooks/${id}`, body: { status: i % 2 ? 'disabled' : 'active' } };
      if (kind === 3) return { method: 'PATCH', path: `/webhooks/${id}`, body: { description: `race ${i}` } };
      return { method: 'GET', path: `/webhooks/${id}/deliveries` };
    });
    const answers = await Promise.all(
      [...requests, { method: 'DELETE', path: `/webhooks/${id}` }].map((r) =>
        rawRequest(rt.runtime.apiUrl, {
          method: r.method,
          path: r.path,
          headers,
          ...('body' in r ? { body: Buffer.from(JSON.stringify(r.body)) } : {}),
        }),
      ),
    );
    const counts = new Map<number, number>();
    answers.forEach((answer, i) => {
      if (answer === 'client-refused') throw new Error('node refused a plain request');
      counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
      const request = requests[i] ?? { method: 'DELETE', path: `/webhooks/${id}` };
      check(`concurrent ${request.method} ${request.path}`, answer, request.method);
    });
    printFigures('api concurrency', {
      requests: answers.length,
      statuses: JSON.stringify(Object.fromEntries(counts)),
    });
    expect(problemsSeen).toEqual([]);
  });

  it('is healthy afterwards: OpenAPI served, an untouched webhook intact, writes still work', async () => {
    const openapi = await fetch(`${rt.runtime.apiUrl}/openapi.json`);
    expect(openapi.status).toBe(200);
    await openapi.text();
    const intact = await rt.api<typeof sentinel>('GET', `/webhooks/${sentinel.id}`);
    expect(intact.status).toBe(200);
    expect(intact.body).toMatchObject({
      targetUrl: sentinel.targetUrl,
      description: 'sentinel',
      status: 'active',
    });
    const created = await rt.api('POST', '/webhooks', { targetUrl: 'http://127.0.0.1:9/after-fuzz' });
    expect(created.status).toBe(201);
    expect(rt.pollErrors).toEqual([]);
  });
});
