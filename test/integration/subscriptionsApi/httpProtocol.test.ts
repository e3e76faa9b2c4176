import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './apiHarness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ maxBodyBytes: 64 * 1024 });
});

afterAll(async () => {
  await api.stop();
});

function expectProblem(response: Awaited<ReturnType<ApiHarness['call']>>, status: number) {
  expect(response.status, response.rawBody).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.json).toMatchObject({ status });
  expect(typeof response.json.type).toBe('string');
  expect(typeof response.json.title).toBe('string');
  expect(typeof response.json.detail).toBe('string');
}

describe('HTTP protocol errors are problem+json', () => {
  it('unknown routes answer 404', async () => {
    for (const path of [
      '/',
      '/nope',
      '/webhooks/wh_aaaaaaaaaaaa/unknown',
      '//webhooks',
      '/webhooks/a/b/c/d',
    ]) {
      expectProblem(await api.call({ apiKey: api.keyA, method: 'GET', path }), 404);
    }
  });

  it('a wrong method answers 405 with Allow', async () => {
    const response = await api.call({ apiKey: api.keyA, method: 'PUT', path: '/webhooks' });
    expectProblem(response, 405);
    expect(response.headers.allow).toBe('POST, GET, OPTIONS');
    const onItem = await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks/wh_aaaaaaaaaaaa' });
    expectProblem(onItem, 405);
    expect(onItem.headers.allow).toBe('GET, PATCH, DELETE, OPTIONS');
    const head = await api.call({ method: 'HEAD', path: '/openapi.json' });
    expectProblem(head, 405);
  });

  it('OPTIONS answers 204 with Allow and CORS headers', async () => {
    const response = await api.call({
      method: 'OPTIONS',
      path: '/webhooks/wh_aaaaaaaaaaaa',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.allow).toBe('GET, PATCH, DELETE, OPTIONS');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-headers']).toContain('Authorization');
  });

  it('malformed JSON answers 400', async () => {
    for (const body of ['{', '{"targetUrl": }', 'undefined', '{"a":1}}', '\u0000']) {
      expectProblem(await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body }), 400);
    }
  });

  it('a missing body answers 400 and a non-JSON content type 415', async () => {
    expectProblem(await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks' }), 400);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', '']) {
      const response = await api.call({
        apiKey: api.keyA,
        method: 'POST',
        path: '/webhooks',
        body: '{"targetUrl":"https://example.com"}',
        headers: { 'content-type': contentType },
      });
      expectProblem(response, 415);
    }
    const withCharset = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: '{"targetUrl":"https://example.com"}',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(withCharset.status).toBe(201);
  });

  it('a body over the limit answers 413, counted in bytes', async () => {
    const big = JSON.stringify({ targetUrl: 'https://example.com', description: 'x'.repeat(70 * 1024) });
    expectProblem(await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body: big }), 413);
    // 30k three-byte characters: under the limit in characters, over it in bytes.
    const multibyte = JSON.stringify({ targetUrl: 'https://example.com', description: '€'.repeat(30_000) });
    expectProblem(
      await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body: multibyte }),
      413,
    );
    const base64 = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: big,
      base64: true,
    });
    expectProblem(base64, 413);
  });

  it('base64 bodies are decoded, and invalid base64 answers 400', async () => {
    const valid = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/b64' },
      base64: true,
    });
    expect(valid.status).toBe(201);
    for (const body of ['@@not base64@@', 'eyJh', 'eyJhIjoxfQ', 'e30=e30=', '%%%']) {
      const response = await api.call({
        apiKey: api.keyA,
        method: 'POST',
        path: '/webhooks',
        body,
        claimBase64: true,
      });
      expectProblem(response, 400);
    }
    // Valid base64 of bytes that are not UTF-8.
    const latin1 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64');
    const response = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: latin1,
      claimBase64: true,
    });
    expectProblem(response, 400);
  });

  it('deeply nested or huge-but-allowed JSON answers 400, not 500', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expectProblem(await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body: deep }), 400);
    const deepObject = `{"targetUrl":"https://example.com","operations":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expectProblem(
      await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body: deepObject }),
      400,
    );
    const manyKeys = JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])));
    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body: manyKeys });
    expectProblem(response, 400);
    expect(response.json.errors.length).toBeLessThanOrEqual(50);
  });

  it('odd path parameters answer 404', async () => {
    for (const id of [
      '%00',
      '..',
      'wh_%2F..%2F',
      `wh_${'a'.repeat(300)}`,
      '__proto__',
      'constructor',
      'wh_ä',
    ]) {
      expectProblem(await api.call({ apiKey: api.keyA, method: 'GET', path: `/webhooks/${id}` }), 404);
      expectProblem(await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/test` }), 404);
    }
  });

  it('responses carry security headers', async () => {
    const response = await api.call({ apiKey: api.keyA, method: 'GET', path: '/webhooks' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
  });

  it('sends no header without a value (an empty Reporting-Endpoints was sent before)', async () => {
    for (const path of ['/webhooks', '/openapi.json', '/no-such-route']) {
      const response = await api.call({ apiKey: api.keyA, method: 'GET', path });
      const empty = Object.entries(response.headers).filter(([, value]) => String(value).trim() === '');
      expect(empty, path).toEqual([]);
    }
  });
});
