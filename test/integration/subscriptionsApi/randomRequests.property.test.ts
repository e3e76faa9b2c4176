import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './apiHarness';

let api: ApiHarness;
let existingId: string;

async function recreateExisting() {
  const created = await api.call({
    apiKey: api.keyA,
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/fuzz' },
  });
  existingId = created.json.id;
}

beforeAll(async () => {
  api = await startApiHarness({
    maxBodyBytes: 4096,
    redriveTimeBudgetMs: 2000,
  });
  await recreateExisting();
});

afterAll(async () => {
  await api.stop();
});

const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('%00', '%2F', '..', '__proto__', 'constructor', '\u0000', '😀', ' ', '{id}', '*', '?', '#'),
);

const idSegment = fc.oneof(
  { arbitrary: fc.constant('EXISTING'), weight: 6 },
  fc.constant('wh_aaaaaaaaaaaaaaaaaaaaaa'),
  fc.stringMatching(/^wh_[A-Za-z0-9_-]{1,70}$/),
  oddText,
);

const path = fc.oneof(
  { arbitrary: fc.constant('/webhooks'), weight: 4 },
  fc.constant('/openapi.json'),
  {
    arbitrary: fc
      .tuple(idSegment, fc.constantFrom('', '/test', '/rotate-secret', '/deliveries', '/redrive', '/', '/x'))
      .map(([id, suffix]) => `/webhooks/${id}${suffix}`),
    weight: 8,
  },
  fc.array(oddText, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?limit=abc',
    '?limit=0',
    '?limit=1e3',
    '?limit=50',
    '?cursor=abc',
    '?cursor=',
    '?limit=2&limit=3',
  ),
  fc
    .tuple(fc.constantFrom('limit', 'cursor', 'x'), oddText)
    .map(([k, v]) => `?${k}=${encodeURIComponent(v)}`),
);

const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'), weight: 10 },
  fc.constantFrom('PUT', 'OPTIONS', 'HEAD'),
  fc.stringMatching(/^[A-Z]{1,10}$/),
);

const jsonBody = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  {
    arbitrary: fc
      .record(
        {
          targetUrl: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), oddText),
          operations: fc.oneof(
            fc.array(fc.constantFrom('*.*', 'person.created', 'company.*', '*.deleted', 'x', '.', '*.*.*'), {
              maxLength: 60,
            }),
            fc.jsonValue(),
          ),
          description: fc.oneof(fc.string({ maxLength: 600 }), fc.constant(null), fc.integer()),
          payloadFormat: fc.oneof(fc.constantFrom('default', 'twenty'), oddText),
          status: fc.oneof(fc.constantFrom('active', 'disabled'), oddText),
          extra: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
    weight: 6,
  },
  oddText,
  fc.string({ minLength: 4000, maxLength: 5000 }),
);

const headers = fc.record(
  {
    authorization: fc.oneof(
      { arbitrary: fc.constant('VALID_A'), weight: 8 },
      fc.constant('VALID_B'),
      fc.constant('Bearer '),
      oddText.map((text) => `Bearer ${text}`),
      oddText,
    ),
    'content-type': fc.oneof(
      { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 6 },
      fc.constantFrom('text/plain', 'application/problem+json'),
      oddText,
    ),
    origin: fc.constantFrom('https://app.example.com', 'null'),
  },
  { requiredKeys: ['authorization'] },
);

/** A real route (method and path agree), so most requests get past routing into validation. */
const routed = fc.constantFrom(
  ['POST', '/webhooks'],
  ['GET', '/webhooks'],
  ['GET', '/webhooks/EXISTING'],
  ['PATCH', '/webhooks/EXISTING'],
  ['DELETE', '/webhooks/EXISTING'],
  ['POST', '/webhooks/EXISTING/rotate-secret'],
  ['POST', '/webhooks/EXISTING/test'],
  ['GET', '/webhooks/EXISTING/deliveries'],
  ['POST', '/webhooks/EXISTING/redrive'],
  ['POST', '/webhooks/EXISTING/deliveries/msg_0123456789abcdef0123456789abcdef/resend'],
  ['GET', '/openapi.json'],
);

const methodAndPath = fc.oneof(
  { arbitrary: routed.map(([m, p]) => ({ method: m, path: p })), weight: 3 },
  fc.record({ method, path }),
);

const request = fc.record({
  target: methodAndPath,
  query,
  headers,
  body: fc.option(jsonBody, { nil: undefined }),
  base64: fc.constantFrom('none', 'none', 'none', 'encode', 'claim'),
});

describe('random requests', () => {
  it('never answer 5xx, and every 4xx is problem+json with a matching status', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const resolvedHeaders = { ...input.headers };
        if (resolvedHeaders.authorization === 'VALID_A') resolvedHeaders.authorization = `Bearer ${api.keyA}`;
        if (resolvedHeaders.authorization === 'VALID_B') resolvedHeaders.authorization = `Bearer ${api.keyB}`;
        const response = await api.call({
          method: input.target.method,
          path: `${input.target.path.replace('EXISTING', existingId)}${input.query}`,
          headers: resolvedHeaders,
          ...(input.body === undefined ? {} : { body: input.body }),
          base64: input.base64 === 'encode',
          claimBase64: input.base64 === 'claim',
        });
        expect(response.status, `${input.target.method} ${input.target.path}`).toBeLessThan(500);
        if (input.target.method === 'DELETE' && response.status === 204) await recreateExisting();
        if (response.status >= 400) {
          expect(response.headers['content-type']).toBe('application/problem+json');
          expect(response.json.status).toBe(response.status);
          expect(typeof response.json.title).toBe('string');
          expect(typeof response.json.detail).toBe('string');
        }
        expect(response.rawBody ?? '').not.toMatch(/"stack"|at .+\.ts:\d+/);
      }),
      { numRuns: 400 },
    );
  }, 120_000);
});
