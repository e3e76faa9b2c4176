import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { printFigures } from './deliveryLedger';
import { type ReliabilityRuntime, startReliabilityRuntime, waitUntil } from './reliabilityRuntime';

interface Created {
  id: string;
  secret: string;
  targetUrl: string;
}

const OTHER_WORKSPACE = 'ws-other';

/** Every route that names a webhook, with a body that would change something if it were accepted. */
const WEBHOOK_ROUTES: { method: string; path: (id: string) => string; body?: unknown }[] = [
  { method: 'GET', path: (id) => `/webhooks/${id}` },
  { method: 'PATCH', path: (id) => `/webhooks/${id}`, body: { description: 'hijacked' } },
  { method: 'PATCH', path: (id) => `/webhooks/${id}`, body: { status: 'disabled' } },
  { method: 'PATCH', path: (id) => `/webhooks/${id}`, body: { targetUrl: 'http://127.0.0.1:9/stolen' } },
  { method: 'POST', path: (id) => `/webhooks/${id}/rotate-secret` },
  { method: 'POST', path: (id) => `/webhooks/${id}/test` },
  { method: 'GET', path: (id) => `/webhooks/${id}/deliveries` },
  { method: 'GET', path: (id) => `/webhooks/${id}/deliveries?limit=1` },
  { method: 'POST', path: (id) => `/webhooks/${id}/redrive` },
  { method: 'DELETE', path: (id) => `/webhooks/${id}` },
];

describe('tenant isolation over HTTP: two workspaces, every route, the pipeline too', () => {
  let rt: ReliabilityRuntime;
  let keyB: string;
  const receivers: SignatureVerifyingReceiver[] = [];
  let a: Created;
  let aFailing: Created;
  let b: Created;
  let receiverA: SignatureVerifyingReceiver;
  let receiverB: SignatureVerifyingReceiver;
  let failingReceiver: SignatureVerifyingReceiver;

  beforeAll(async () => {
    rt = await startReliabilityRuntime({ maxAttempts: 2, retryDelaysSeconds: '1' });
    keyB = (await rt.apiKeys.create(OTHER_WORKSPACE, { name: 'other workspace' })).key;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await rt?.stop();
  }, 60_000);

  async function webhookFor(
    apiKey: string,
    receiver: SignatureVerifyingReceiver,
    operations = ['*.*'],
  ): Promise<Created> {
    const created = await rt.api<Created>(
      'POST',
      '/webhooks',
      { targetUrl: `${receiver.url}/hook`, operations },
      apiKey,
    );
    expect(created.status, created.text).toBe(201);
    return created.body;
  }

  async function deadLetterCount(): Promise<number> {
    const { Attributes = {} } = await rt.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: rt.runtime.queues.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages ?? 0);
  }

  it('delivers each workspace’s records only to its own webhooks', async () => {
    receiverA = await startSignatureVerifyingReceiver();
    receiverB = await startSignatureVerifyingReceiver();
    const failing = await startSignatureVerifyingReceiver({ defaultResponse: { status: 500 } });
    receivers.push(receiverA, receiverB, failing);
    a = await webhookFor(rt.apiKey, receiverA);
    failingReceiver = failing;
    aFailing = await webhookFor(rt.apiKey, failing, ['person.*']);
    b = await webhookFor(keyB, receiverB);
    receiverA.setSecrets([a.secret]);
    receiverB.setSecrets([b.secret]);
    await new Promise((r) => setTimeout(r, 1_500));

    const write = (id: string, workspaceId?: string) =>
      rt.dynamo.send(
        new PutItemCommand({
          TableName: 'person',
          Item: { id: { S: id }, ...(workspaceId ? { workspaceId: { S: workspaceId } } : {}) },
        }),
      );
    await write('person-of-default');
    await write('person-of-other', OTHER_WORKSPACE);
    await receiverA.waitForRequests(1, 15_000);
    await receiverB.waitForRequests(1, 15_000);
    // aFailing's job goes to the DLQ after its two attempts.
    await waitUntil(deadLetterCount, (n) => n === 1, 20_000, 'one dead letter');
    await new Promise((r) => setTimeout(r, 1_000));

    const idsAt = (receiver: SignatureVerifyingReceiver) =>
      receiver.requests.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id);
    expect(idsAt(receiverA)).toEqual(['person-of-default']);
    expect(idsAt(receiverB)).toEqual(['person-of-other']);
    expect(receiverA.requests.every((r) => r.verified)).toBe(true);
    expect(receiverB.requests.every((r) => r.verified)).toBe(true);
    expect(JSON.parse(receiverB.requests[0]?.body ?? '{}').workspaceId).toBe(OTHER_WORKSPACE);
  }, 60_000);

  it('answers 404 problem+json to every route on the other workspace’s webhooks, in both directions', async () => {
    let tried = 0;
    for (const [key, victims] of [
      [keyB, [a, aFailing]],
      [rt.apiKey, [b]],
    ] as const) {
      for (const victim of victims) {
        for (const route of WEBHOOK_ROUTES) {
          const answer = await rt.api(route.method, route.path(victim.id), route.body, key);
          tried++;
          expect(answer.status, `${route.method} ${route.path(victim.id)}`).toBe(404);
          expect(answer.headers.get('content-type')).toBe('application/problem+json');
          // Nothing about the webhook leaks into the error.
          expect(answer.text).not.toContain(victim.targetUrl);
          expect(answer.text).not.toContain(victim.secret);
        }
      }
    }
    printFigures('tenant isolation', { crossWorkspaceRequests: tried, refused: tried });
  });

  it('changed nothing: the victims’ webhooks, secrets, test events and dead letters are as before', async () => {
    for (const [victim, key] of [
      [a, rt.apiKey],
      [aFailing, rt.apiKey],
      [b, keyB],
    ] as const) {
      const read = await rt.api<Record<string, unknown>>('GET', `/webhooks/${victim.id}`, undefined, key);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ targetUrl: victim.targetUrl, status: 'active' });
      expect(read.body.description).not.toBe('hijacked');
    }
    // No test event was sent for the other workspace, and a new record is still signed with the old secret.
    await rt.dynamo.send(new PutItemCommand({ TableName: 'company', Item: { id: { S: 'company-after' } } }));
    const [, second] = await receiverA.waitForRequests(2, 15_000);
    expect(JSON.parse(second?.body ?? '{}').event).toBe('company.created');
    expect(second?.verified).toBe(true);
    expect(receiverA.requests.some((r) => r.body.includes('webhook.test'))).toBe(false);
    expect(receiverB.requests.some((r) => r.body.includes('webhook.test'))).toBe(false);
    // The other workspace's redrive did not move A's dead letter.
    expect(await deadLetterCount()).toBe(1);
  }, 30_000);

  it('control: the owner can read deliveries, send a test event and redrive on the same routes', async () => {
    const deliveries = await rt.api<{ data: unknown[] }>('GET', `/webhooks/${a.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data.length).toBeGreaterThan(0);
    const attemptsBefore = failingReceiver.requests.length;
    const redrive = await rt.api<{ redriven: number }>('POST', `/webhooks/${aFailing.id}/redrive`);
    expect(redrive.status).toBe(202);
    expect(redrive.body.redriven).toBe(1);
    // The redriven job gets its attempts again (and fails again: the receiver still answers 500).
    await failingReceiver.waitForRequests(attemptsBefore + 2, 15_000);
    const test = await rt.api('POST', `/webhooks/${b.id}/test`, undefined, keyB);
    expect(test.status).toBe(202);
    await waitUntil(
      () => receiverB.requests.some((r) => r.body.includes('webhook.test')),
      Boolean,
      10_000,
      'test event at B',
    );
  }, 30_000);

  it('lists only the caller’s webhooks, and another workspace’s cursor reveals nothing', async () => {
    const listA = await rt.api<{ data: { id: string }[]; nextCursor: string | null }>(
      'GET',
      '/webhooks?limit=1',
    );
    expect(listA.body.nextCursor).toEqual(expect.any(String));
    const listB = await rt.api<{ data: { id: string }[] }>('GET', '/webhooks', undefined, keyB);
    expect(listB.body.data.map((w) => w.id)).toEqual([b.id]);

    const withForeignCursor = await rt.api<{ data?: { id: string }[] }>(
      'GET',
      `/webhooks?limit=10&cursor=${encodeURIComponent(listA.body.nextCursor ?? '')}`,
      undefined,
      keyB,
    );
    expect([200, 400]).toContain(withForeignCursor.status);
    for (const webhook of withForeignCursor.body?.data ?? []) expect(webhook.id).toBe(b.id);

    const deliveriesA = await rt.api<{ nextCursor: string | null }>(
      'GET',
      `/webhooks/${a.id}/deliveries?limit=1`,
    );
    expect(deliveriesA.body.nextCursor).toEqual(expect.any(String));
    const foreignDeliveryCursor = await rt.api<{ data?: { webhookId: string }[] }>(
      'GET',
      `/webhooks/${b.id}/deliveries?cursor=${encodeURIComponent(deliveriesA.body.nextCursor ?? '')}`,
      undefined,
      keyB,
    );
    expect([200, 400]).toContain(foreignDeliveryCursor.status);
    for (const attempt of foreignDeliveryCursor.body?.data ?? []) expect(attempt.webhookId).toBe(b.id);
  });

  it('refuses revoked and malformed keys with 401 on every route', async () => {
    const { key: revoked } = await rt.apiKeys.create(OTHER_WORKSPACE, { name: 'to revoke' });
    expect(await rt.apiKeys.revoke(revoked)).toBe(true);
    const flipped = `${keyB.slice(0, -1)}${keyB.endsWith('a') ? 'b' : 'a'}`;
    const badAuthorizations = [
      `Bearer ${revoked}`,
      `Bearer ${flipped}`,
      `Bearer ${keyB.toUpperCase()}`,
      `Bearer ${keyB}x`,
      `Bearer ${keyB} ${keyB}`,
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`${keyB}:`).toString('base64')}`,
      keyB,
      `Token ${keyB}`,
      `Bearer ${'k'.repeat(10_000)}`,
    ];
    const routes = [
      { method: 'GET', path: () => '/webhooks' },
      { method: 'POST', path: () => '/webhooks', body: { targetUrl: 'http://127.0.0.1:9/x' } },
      ...WEBHOOK_ROUTES,
    ];
    let tried = 0;
    for (const authorization of badAuthorizations) {
      for (const route of routes) {
        const response = await fetch(`${rt.runtime.apiUrl}${route.path(b.id)}`, {
          method: route.method,
          headers: { authorization, 'content-type': 'application/json' },
          ...('body' in route && route.body !== undefined ? { body: JSON.stringify(route.body) } : {}),
        });
        tried++;
        expect(response.status, `${authorization.slice(0, 30)} ${route.method}`).toBe(401);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        await response.text();
      }
    }
    const stillThere = await rt.api('GET', `/webhooks/${b.id}`, undefined, keyB);
    expect(stillThere.status).toBe(200);
    printFigures('bad keys', { requests: tried, refused: tried });
  }, 60_000);
});
