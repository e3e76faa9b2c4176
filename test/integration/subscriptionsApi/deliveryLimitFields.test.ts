import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from './apiHarness';

let api: ApiHarness;
let asA: ApiHarness['call'];

beforeAll(async () => {
  api = await startApiHarness();
  asA = (options) => api.call({ apiKey: api.keyA, ...options });
});

afterAll(async () => {
  await api.stop();
});

async function createWebhook(body: Record<string, unknown> = {}) {
  const response = await asA({
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/hooks', ...body },
  });
  expect(response.status, JSON.stringify(response.json)).toBe(201);
  return response.json;
}

describe('rateLimit and maxConcurrentDeliveries', () => {
  it('are absent unless set, stored on the row, shown on GET and list', async () => {
    const plain = await createWebhook();
    expect(plain).not.toHaveProperty('rateLimit');
    expect(plain).not.toHaveProperty('maxConcurrentDeliveries');

    const limited = await createWebhook({ rateLimit: 2.5, maxConcurrentDeliveries: 4 });
    expect(limited).toMatchObject({ rateLimit: 2.5, maxConcurrentDeliveries: 4 });
    const stored = await api.webhookStore.get(WORKSPACE_A, limited.id, { consistent: true });
    expect(stored).toMatchObject({ rateLimit: 2.5, maxConcurrentDeliveries: 4 });
    const fetched = await asA({ method: 'GET', path: `/webhooks/${limited.id}` });
    expect(fetched.json).toMatchObject({ rateLimit: 2.5, maxConcurrentDeliveries: 4 });
    const listed = await asA({ method: 'GET', path: '/webhooks?limit=100' });
    expect(listed.json.data.find((w: { id: string }) => w.id === limited.id)).toMatchObject({
      rateLimit: 2.5,
      maxConcurrentDeliveries: 4,
    });
  });

  it('PATCH sets, changes and (with null) removes each one independently', async () => {
    const created = await createWebhook();
    const patch = (body: Record<string, unknown>) =>
      asA({ method: 'PATCH', path: `/webhooks/${created.id}`, body });

    const set = await patch({ rateLimit: 0.5, maxConcurrentDeliveries: 1 });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ rateLimit: 0.5, maxConcurrentDeliveries: 1 });

    const changed = await patch({ rateLimit: 500 });
    expect(changed.json).toMatchObject({ rateLimit: 500, maxConcurrentDeliveries: 1 });

    const rateCleared = await patch({ rateLimit: null });
    expect(rateCleared.status).toBe(200);
    expect(rateCleared.json).not.toHaveProperty('rateLimit');
    expect(rateCleared.json.maxConcurrentDeliveries).toBe(1);

    const capCleared = await patch({ maxConcurrentDeliveries: null });
    expect(capCleared.json).not.toHaveProperty('maxConcurrentDeliveries');
    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored).not.toHaveProperty('rateLimit');
    expect(stored).not.toHaveProperty('maxConcurrentDeliveries');
  });

  const RATE_RULE = 'must be a number from 0.01 to 500 (deliveries per second)';
  const CAP_RULE = 'must be a whole number from 1 to 100';
  const invalid: [string, Record<string, unknown>, string, string][] = [
    ['a zero rate', { rateLimit: 0 }, 'rateLimit', RATE_RULE],
    ['a negative rate', { rateLimit: -2 }, 'rateLimit', RATE_RULE],
    ['a rate above 500/s', { rateLimit: 501 }, 'rateLimit', RATE_RULE],
    ['a rate below 0.01/s', { rateLimit: 0.001 }, 'rateLimit', RATE_RULE],
    ['a rate as text', { rateLimit: '2' }, 'rateLimit', RATE_RULE],
    ['a zero cap', { maxConcurrentDeliveries: 0 }, 'maxConcurrentDeliveries', CAP_RULE],
    ['a fractional cap', { maxConcurrentDeliveries: 1.5 }, 'maxConcurrentDeliveries', CAP_RULE],
    ['a cap above 100', { maxConcurrentDeliveries: 101 }, 'maxConcurrentDeliveries', CAP_RULE],
  ];

  it.each(invalid)(
    'POST refuses %s with a problem+json 400 naming the field',
    async (_name, body, field, rule) => {
      const response = await asA({
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'https://example.com/hooks', ...body },
      });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.json.errors).toEqual([{ path: field, message: rule }]);
    },
  );

  it('PATCH refuses bad values the same way, and null on create', async () => {
    const created = await createWebhook({ rateLimit: 1 });
    const bad = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { rateLimit: 1000, maxConcurrentDeliveries: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'maxConcurrentDeliveries',
      'rateLimit',
    ]);
    const unchanged = await asA({ method: 'GET', path: `/webhooks/${created.id}` });
    expect(unchanged.json.rateLimit).toBe(1);

    const nullOnCreate = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/hooks', rateLimit: null },
    });
    expect(nullOnCreate.status).toBe(400);
    expect(nullOnCreate.json.errors.map((e: { path: string }) => e.path)).toEqual(['rateLimit']);
  });
});
