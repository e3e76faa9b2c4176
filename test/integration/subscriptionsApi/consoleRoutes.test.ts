import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../functions/subscriptions-api/openapiDocument';
import { ProblemError } from '../../../functions/subscriptions-api/problem';
import { consoleRoutes } from '../../../functions/subscriptions-api/routes/consoleRoutes';
import { OPENAPI_DOCUMENT_PATH } from '../../../infra/cli/writeOpenApiDocument';
import { type BuiltConsole, buildConsoleAssets } from '../../../infra/console/buildConsoleAssets';
import { apiGatewayEvent } from '../../helpers/apiGatewayEvents';
import { type ApiHarness, startApiHarness } from './apiHarness';

/** The real handler serving a real console build: public static files, every API route behind the key. */
describe('web console routes', () => {
  let harness: ApiHarness;
  let built: BuiltConsole;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-routes-'));
    built = await buildConsoleAssets(dir);
    harness = await startApiHarness({
      config: { consoleAssetsDir: dir },
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const bodyOf = (response: { rawBody?: string }) => Buffer.from(response.rawBody ?? '', 'base64');

  it('serves the page without a key, with its CSP, X-Frame-Options: DENY and no caching', async () => {
    const response = await harness.call({ method: 'GET', path: '/console' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'",
    );
    expect(response.headers['permissions-policy']).toContain('clipboard-write=(self)');
    expect(bodyOf(response).toString('utf8')).toBe(await readFile(join(dir, 'index.html'), 'utf8'));
    // With a trailing slash too (the router treats it as optional).
    expect((await harness.call({ method: 'GET', path: '/console/' })).status).toBe(200);
  });

  it('serves hashed assets for a year, precompressed as the browser accepts', async () => {
    for (const name of built.assets) {
      const original = await readFile(join(dir, 'assets', name));
      const brotli = await harness.call({
        method: 'GET',
        path: `/console/assets/${name}`,
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      });
      expect(brotli.status).toBe(200);
      expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotli.headers.vary).toBe('Accept-Encoding');
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(bodyOf(brotli))).toEqual(original);

      const gzip = await harness.call({
        method: 'GET',
        path: `/console/assets/${name}`,
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(bodyOf(gzip))).toEqual(original);

      const plain = await harness.call({ method: 'GET', path: `/console/assets/${name}` });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(bodyOf(plain)).toEqual(original);
    }
    expect(built.assets.map((name) => name.split('.').pop()).sort()).toEqual(['css', 'js']);
    // The budget of the issue: 60 KB of JS + CSS, compressed.
    expect(built.bytes.gzip).toBeLessThanOrEqual(60 * 1024);
  });

  it('answers 404 for names it did not build, whatever they try to reach', async () => {
    for (const path of [
      '/console/assets/console-AAAAAAAA.js',
      '/console/assets/..%2Findex.html',
      '/console/assets/index.html',
      '/console/assets/',
    ]) {
      const response = await harness.call({ method: 'GET', path });
      expect(response.status, path).toBe(404);
      expect(response.headers['content-type'], path).toBe('application/problem+json');
    }
  });

  it('keeps every API route behind the key: only /openapi.json and the console answer without one', async () => {
    const document = buildOpenApiDocument();
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => ({ method: method.toUpperCase(), path })),
    );
    expect(operations.length).toBeGreaterThan(5);
    for (const { method, path } of operations) {
      const concrete = path.replace('{id}', 'wh_0123456789abcdef').replace(/\{[^}]+\}/g, 'x');
      const response = await harness.call({
        method,
        path: concrete,
        ...(method === 'GET' ? {} : { body: {} }),
      });
      if (path === '/openapi.json') expect(response.status).toBe(200);
      else expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it('serves the committed docs/openapi.json as it is, without a key', async () => {
    const response = await harness.call({ method: 'GET', path: '/openapi.json' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.rawBody).toBe(await readFile(OPENAPI_DOCUMENT_PATH, 'utf8'));
  });

  it('GET /objects lists the configured objects and actions for a key', async () => {
    const response = await harness.call({ method: 'GET', path: '/objects', apiKey: harness.keyA });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      objects: ['company', 'note', 'opportunity', 'person', 'task'],
      anyObject: false,
      actions: ['created', 'updated', 'deleted', 'restored', 'destroyed'],
    });
  });

  it('answers 404 naming the setting when the deployment has no console', async () => {
    const [page] = consoleRoutes(undefined);
    await expect(
      page!.auth ? undefined : page!.handle(apiGatewayEvent({ method: 'GET', path: '/console' })),
    ).rejects.toSatisfy(
      (error) =>
        error instanceof ProblemError &&
        error.problem.status === 404 &&
        /CONSOLE_ASSETS_DIR/.test(error.problem.detail),
    );
  });
});
