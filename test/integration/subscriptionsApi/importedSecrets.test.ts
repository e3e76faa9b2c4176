import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretStoreMode } from '../../../shared/domain/webhooks/signingSecretStore';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from './apiHarness';

/** Imported secrets behave the same in both secret stores. */
describe.each<SecretStoreMode>(['envelope', 'per-webhook'])('imported secrets (%s mode)', (mode) => {
  let api: ApiHarness;
  let asA: ApiHarness['call'];

  beforeAll(async () => {
    api = await startApiHarness({ secretStore: mode });
    asA = (options) => api.call({ apiKey: api.keyA, ...options });
  });

  afterAll(async () => {
    await api.stop();
  });

  /** The secret the store holds for a webhook's current version, decrypted or read as a delivery would. */
  async function storedCurrentSecret(webhookId: string): Promise<string | undefined> {
    const row = await api.webhookStore.get(WORKSPACE_A, webhookId, { consistent: true });
    if (mode === 'per-webhook') {
      const value = await api.secretsClient.send(
        new GetSecretValueCommand({ SecretId: row?.secretName, VersionId: row?.secretVersionId }),
      );
      return value.SecretString;
    }
    return (await api.signingSecretsReader().signingSecretsOf(row!, new Date()))[0];
  }

  it('POST /webhooks keeps a Twenty 64-hex secret exactly as given, shown once', async () => {
    const secret = randomBytes(32).toString('hex');
    const response = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/hooks', secret },
    });
    expect(response.status, JSON.stringify(response.json)).toBe(201);
    expect(response.json.secret).toBe(secret);
    expect(await storedCurrentSecret(response.json.id)).toBe(secret);
    const read = await asA({ method: 'GET', path: `/webhooks/${response.json.id}` });
    expect(read.rawBody).not.toContain(secret);
    const list = await asA({ method: 'GET', path: '/webhooks' });
    expect(list.rawBody).not.toContain(secret);
  });

  it('POST /webhooks accepts a whsec_ secret and refuses one the Standard Webhooks libraries cannot use', async () => {
    const whsec = `whsec_${randomBytes(24).toString('base64')}`;
    const ok = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/a', secret: whsec },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.secret).toBe(whsec);

    const rowsBefore = (await api.webhookStore.list(WORKSPACE_A, { limit: 100 })).items.length;
    for (const bad of [
      'my-own-secret-with-dashes-0123456789',
      'too-short',
      `whsec_${randomBytes(8).toString('base64')}`,
    ]) {
      const refused = await asA({
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'https://example.com/b', secret: bad },
      });
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toBe('application/problem+json');
      expect(refused.json.errors.map((e: { path: string }) => e.path)).toEqual(['secret']);
      // The refused value is not echoed back.
      expect(refused.rawBody).not.toContain(bad);
    }
    expect((await api.webhookStore.list(WORKSPACE_A, { limit: 100 })).items.length).toBe(rowsBefore);
  });

  it('rotate-secret imports a secret, and without a body (or with {}) generates one', async () => {
    const created = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/r' },
    });
    const path = `/webhooks/${created.json.id}/rotate-secret`;
    const imported = randomBytes(32).toString('hex');
    const rotated = await asA({ method: 'POST', path, body: { secret: imported } });
    expect(rotated.status, JSON.stringify(rotated.json)).toBe(200);
    expect(rotated.json.secret).toBe(imported);
    expect(await storedCurrentSecret(created.json.id)).toBe(imported);

    const generated = await asA({ method: 'POST', path });
    expect(generated.status).toBe(200);
    expect(generated.json.secret).toMatch(/^whsec_/);
    const fromEmptyObject = await asA({ method: 'POST', path, body: {} });
    expect(fromEmptyObject.status).toBe(200);
    expect(fromEmptyObject.json.secret).toMatch(/^whsec_/);
  });

  it('rotate-secret refuses a bad secret, an unknown field or a non-JSON body, changing nothing', async () => {
    const created = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/s' },
    });
    const path = `/webhooks/${created.json.id}/rotate-secret`;
    const before = await api.webhookStore.get(WORKSPACE_A, created.json.id, { consistent: true });
    const bad = await asA({ method: 'POST', path, body: { secret: 'not base64 at all, has spaces' } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { path: string }) => e.path)).toEqual(['secret']);
    const unknown = await asA({ method: 'POST', path, body: { secrets: 'x' } });
    expect(unknown.status).toBe(400);
    const text = await asA({
      method: 'POST',
      path,
      body: 'secret=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(await api.webhookStore.get(WORKSPACE_A, created.json.id, { consistent: true })).toEqual(before);
  });
});
