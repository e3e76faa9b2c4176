import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from './apiHarness';

const LIMIT = 3;
let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ maxWebhooksPerWorkspace: LIMIT });
});

afterAll(async () => {
  await api.stop();
});

const create = (apiKey: string) =>
  api.call({
    apiKey,
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/hooks', operations: ['person.*'] },
  });

describe('the per-workspace webhook limit (MAX_WEBHOOKS_PER_WORKSPACE)', () => {
  it('refuses the webhook beyond the limit with a 409 problem, stores nothing, and frees a slot on delete', async () => {
    const created = [];
    for (let i = 0; i < LIMIT; i += 1) {
      const response = await create(api.keyA);
      expect(response.status).toBe(201);
      created.push(response.json.id as string);
    }

    const refused = await create(api.keyA);
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json.detail).toContain(`already has ${LIMIT} webhooks`);
    expect(refused.json.detail).toContain('maxWebhooksPerWorkspace');
    expect(await api.webhookStore.countInWorkspace(WORKSPACE_A)).toBe(LIMIT);

    // Another workspace is not affected by workspace A being full.
    expect((await create(api.keyB)).status).toBe(201);

    const deleted = await api.call({ apiKey: api.keyA, method: 'DELETE', path: `/webhooks/${created[0]}` });
    expect(deleted.status).toBe(204);
    expect((await create(api.keyA)).status).toBe(201);
    expect((await create(api.keyA)).status).toBe(409);
  });
});
