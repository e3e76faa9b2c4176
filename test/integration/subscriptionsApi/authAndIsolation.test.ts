import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDeliveryJobs } from '../../../shared/domain/delivery/deliveryJob';
import { type ApiHarness, startApiHarness, WORKSPACE_A, WORKSPACE_B } from './apiHarness';

let api: ApiHarness;
let webhookOfA: { id: string; secret: string };

beforeAll(async () => {
  api = await startApiHarness();
  const created = await api.call({
    apiKey: api.keyA,
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/a', description: 'A only' },
  });
  webhookOfA = created.json;
});

afterAll(async () => {
  await api.stop();
});

describe('authentication', () => {
  const protectedRoutes: [string, string][] = [
    ['POST', '/webhooks'],
    ['GET', '/webhooks'],
    ['GET', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa'],
    ['PATCH', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa'],
    ['DELETE', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa'],
    ['POST', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa/rotate-secret'],
    ['POST', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa/test'],
    ['GET', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa/deliveries'],
    ['POST', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa/redrive'],
    ['POST', '/webhooks/wh_aaaaaaaaaaaaaaaaaaaaaa/deliveries/msg_0123456789abcdef0123456789abcdef/resend'],
  ];

  it.each(protectedRoutes)('%s %s needs a key: 401 problem with WWW-Authenticate', async (method, path) => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      { authorization: 'Bearer cwk_not-a-real-key' },
      { authorization: `Bearer ${'x'.repeat(5000)}` },
    ];
    for (const headers of attempts) {
      const response = await api.call({ method, path, headers, body: { targetUrl: 'https://example.com' } });
      expect(response.status, JSON.stringify(headers).slice(0, 60)).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('accepts the scheme in any case and answers 401 for a revoked key', async () => {
    const lower = await api.call({
      method: 'GET',
      path: '/webhooks',
      headers: { authorization: `bearer ${api.keyA}` },
    });
    expect(lower.status).toBe(200);
    const { key } = await api.apiKeys.create(WORKSPACE_A, { name: 'to revoke' });
    expect(await api.apiKeys.revoke(key)).toBe(true);
    const revoked = await api.call({ apiKey: key, method: 'GET', path: '/webhooks' });
    expect(revoked.status).toBe(401);
    expect(revoked.json.detail).toMatch(/unknown or revoked/);
  });

  it('serves /openapi.json without a key', async () => {
    const response = await api.call({ method: 'GET', path: '/openapi.json' });
    expect(response.status).toBe(200);
    expect(response.json.openapi).toBe('3.1.0');
    expect(Object.keys(response.json.paths)).toContain('/webhooks/{id}/redrive');
  });
});

describe('workspace isolation: another workspace sees 404 on every route and changes nothing', () => {
  const asB = (method: string, path: string, body?: unknown) =>
    api.call({ apiKey: api.keyB, method, path, ...(body === undefined ? {} : { body }) });

  it('GET, PATCH, DELETE', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { description: 'hijacked' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await asB(method, `/webhooks/${webhookOfA.id}`, body);
      expect(response.status, method).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
    }
    const stillThere = await api.call({
      apiKey: api.keyA,
      method: 'GET',
      path: `/webhooks/${webhookOfA.id}`,
    });
    expect(stillThere.status).toBe(200);
    expect(stillThere.json.description).toBe('A only');
  });

  it('list shows only its own webhooks', async () => {
    await asB('POST', '/webhooks', { targetUrl: 'https://example.com/b' });
    const listB = await asB('GET', '/webhooks');
    expect(listB.json.data.map((w: { workspaceId: string }) => w.workspaceId)).toEqual([WORKSPACE_B]);
    const listA = await api.call({ apiKey: api.keyA, method: 'GET', path: '/webhooks' });
    expect(listA.json.data.every((w: { workspaceId: string }) => w.workspaceId === WORKSPACE_A)).toBe(true);
  });

  it('a cursor from another workspace is refused', async () => {
    const page = await api.call({ apiKey: api.keyA, method: 'GET', path: '/webhooks?limit=1' });
    const cursor =
      page.json.nextCursor ??
      Buffer.from(JSON.stringify({ workspaceId: WORKSPACE_A, id: webhookOfA.id })).toString('base64url');
    const response = await asB('GET', `/webhooks?cursor=${cursor}`);
    expect(response.status).toBe(400);
  });

  it('rotate-secret leaves the secret alone', async () => {
    const before = await api.webhookStore.get(WORKSPACE_A, webhookOfA.id, { consistent: true });
    const response = await asB('POST', `/webhooks/${webhookOfA.id}/rotate-secret`);
    expect(response.status).toBe(404);
    const after = await api.webhookStore.get(WORKSPACE_A, webhookOfA.id, { consistent: true });
    expect(after?.sealedSecret).toBeDefined();
    expect(after).toEqual(before);
  });

  it('test enqueues nothing', async () => {
    const response = await asB('POST', `/webhooks/${webhookOfA.id}/test`);
    expect(response.status).toBe(404);
    const received = await api.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: api.queues.deliveriesQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages ?? []).toHaveLength(0);
  });

  it('deliveries are not readable', async () => {
    await api.deliveryLog.record(
      {
        webhookId: webhookOfA.id,
        deliveryId: 'msg_1',
        eventId: 'evt_1',
        event: 'person.created',
        attempt: 1,
        outcome: 'delivered',
        statusCode: 200,
        durationMs: 12,
        attemptedAt: new Date().toISOString(),
      },
      30,
    );
    const response = await asB('GET', `/webhooks/${webhookOfA.id}/deliveries`);
    expect(response.status).toBe(404);
    expect(response.rawBody).not.toContain('msg_1');
    const own = await api.call({
      apiKey: api.keyA,
      method: 'GET',
      path: `/webhooks/${webhookOfA.id}/deliveries`,
    });
    expect(own.json.data).toHaveLength(1);
  });

  it('redrive moves nothing', async () => {
    const [job] = encodeDeliveryJobs(
      {
        eventId: 'evt_iso',
        name: 'person.created',
        object: 'person',
        action: 'created',
        workspaceId: WORKSPACE_A,
        recordId: 'p1',
        timestamp: new Date().toISOString(),
        dataJson: '{"id":"p1"}',
      },
      [webhookOfA.id],
    );
    await api.sqs.send(
      new SendMessageCommand({
        QueueUrl: api.queues.deadLetterQueueUrl,
        MessageBody: job!.body,
        MessageAttributes: { webhookId: { DataType: 'String', StringValue: webhookOfA.id } },
      }),
    );
    const response = await asB('POST', `/webhooks/${webhookOfA.id}/redrive`);
    expect(response.status).toBe(404);
    const left = await api.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: api.queues.deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(left.Messages ?? []).toHaveLength(1);
  });
});
