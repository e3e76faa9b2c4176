import { type Message, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterIndex } from '../../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLogStore } from '../../../shared/adapters/dynamodb/deliveryLogStore';
import type { DeadLetter } from '../../../shared/domain/delivery/deadLetter';
import type { DeliveryAttempt } from '../../../shared/domain/delivery/deliveryAttempt';
import {
  decodeDeliveryJob,
  encodeDeliveryJob,
  encodeDeliveryJobs,
} from '../../../shared/domain/delivery/deliveryJob';
import { deliveryIdFor } from '../../../shared/domain/delivery/stableIds';
import type { CrmEvent } from '../../../shared/domain/events/crmEvent';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from './apiHarness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api.stop();
});

beforeEach(async () => {
  await api.sqs.send(new PurgeQueueCommand({ QueueUrl: api.queues.deliveriesQueueUrl }));
  await api.sqs.send(new PurgeQueueCommand({ QueueUrl: api.queues.deadLetterQueueUrl }));
});

async function createWebhook(body: Record<string, unknown> = {}): Promise<string> {
  const response = await api.call({
    apiKey: api.keyA,
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/hooks', ...body },
  });
  expect(response.status).toBe(201);
  return response.json.id;
}

async function drain(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  while (true) {
    const { Messages = [] } = await api.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

function crmEvent(index: number): CrmEvent {
  return {
    eventId: `evt_redrive_${index}`,
    name: 'person.updated',
    object: 'person',
    action: 'updated',
    workspaceId: WORKSPACE_A,
    recordId: `p${index}`,
    timestamp: '2026-01-01T00:00:00.000Z',
    // Exact JSON text: the 20-digit number must survive the round trip untouched.
    dataJson: `{"id":"p${index}","amount":12345678901234567890.5,"name":"Ünïcode ${index}"}`,
    updatedFields: ['amount'],
  };
}

/** Dead-letters jobs as the delivery function does after their last attempt: an index entry each. */
async function deadLetter(webhookId: string, count: number, offset = 0, redriveCount?: number) {
  const index = new DeadLetterIndex(api.dynamo, api.tables.deliveryLog);
  const entries: DeadLetter[] = [];
  for (let i = 0; i < count; i++) {
    const event = crmEvent(offset + i);
    const [encoded] = encodeDeliveryJobs(event, [webhookId]);
    const decoded = decodeDeliveryJob(encoded!.body);
    if (!decoded.ok) throw new Error(decoded.error);
    const job = { ...decoded.job, attempt: 10, ...(redriveCount === undefined ? {} : { redriveCount }) };
    entries.push({
      webhookId,
      workspaceId: WORKSPACE_A,
      deliveryId: job.deliveryId,
      eventId: event.eventId,
      event: event.name,
      attempts: 10,
      cause: 'http-5xx',
      deadLetteredAt: new Date().toISOString(),
      jobBody: encodeDeliveryJob(job),
    });
  }
  for (let i = 0; i < entries.length; i += 25) {
    await Promise.all(entries.slice(i, i + 25).map((entry) => index.put(entry)));
  }
  return entries;
}

async function indexOf(webhookId: string): Promise<DeadLetter[]> {
  const index = new DeadLetterIndex(api.dynamo, api.tables.deliveryLog);
  const all: DeadLetter[] = [];
  let cursor: string | undefined;
  do {
    const page = await index.list(webhookId, { limit: 100, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

describe('POST /webhooks/{id}/test', () => {
  it('enqueues one webhook.test job for this webhook, whatever its operations', async () => {
    const id = await createWebhook({ operations: ['person.created'] });
    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/test` });
    expect(response.status).toBe(202);
    const { eventId, deliveryId } = response.json;
    expect(eventId).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(deliveryId).toBe(deliveryIdFor(id, eventId));

    const messages = await drain(api.queues.deliveriesQueueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.MessageAttributes?.webhookId).toMatchObject({ DataType: 'String', StringValue: id });
    const decoded = decodeDeliveryJob(messages[0]!.Body!);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.job).toMatchObject({
      v: 1,
      deliveryId,
      webhookId: id,
      workspaceId: WORKSPACE_A,
      eventId,
      event: 'webhook.test',
      object: 'webhook',
      action: 'test',
    });
    expect(Math.abs(Date.parse(decoded.job.timestamp) - Date.now())).toBeLessThan(10_000);
    expect(JSON.parse(decoded.job.dataJson)).toMatchObject({
      webhookId: id,
      message: 'This is a test event',
    });
  });

  it('refuses a disabled webhook with 409 and enqueues nothing', async () => {
    const id = await createWebhook();
    await api.call({
      apiKey: api.keyA,
      method: 'PATCH',
      path: `/webhooks/${id}`,
      body: { status: 'disabled' },
    });
    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/test` });
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(await drain(api.queues.deliveriesQueueUrl)).toHaveLength(0);
  });
});

describe('POST /webhooks/{id}/redrive', () => {
  it('sends back every dead letter of this webhook (several index pages), and only those', async () => {
    const mine = await createWebhook();
    const other = await createWebhook();
    await deadLetter(mine, 130);
    await deadLetter(other, 14, 1000);

    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${mine}/redrive` });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ redriven: 130, more: false });

    const moved = await drain(api.queues.deliveriesQueueUrl);
    expect(moved).toHaveLength(130);
    for (const message of moved) {
      expect(message.MessageAttributes?.webhookId?.StringValue).toBe(mine);
      const decoded = decodeDeliveryJob(message.Body!);
      if (!decoded.ok) throw new Error(decoded.error);
      expect(decoded.job.webhookId).toBe(mine);
      expect(decoded.job.redriveCount).toBe(1);
      // Attempts start afresh, due at once.
      expect(decoded.job.attempt).toBeUndefined();
      expect(decoded.job.notBefore).toBeUndefined();
      const index = Number(decoded.job.eventId.replace('evt_redrive_', ''));
      expect(decoded.job.dataJson).toBe(crmEvent(index).dataJson);
      expect(decoded.job.deliveryId).toBe(deliveryIdFor(mine, decoded.job.eventId));
    }
    expect(await indexOf(mine)).toEqual([]);
    expect(await indexOf(other)).toHaveLength(14);
    // The attempt log of the partition is not affected by the index beside it.
    expect((await api.deliveryLog.list(mine, { limit: 10 })).items).toEqual([]);
  });

  it('increments redriveCount again on a second trip and answers 0 when nothing is dead-lettered', async () => {
    const id = await createWebhook();
    await deadLetter(id, 1, 1, 2);
    const first = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/redrive` });
    expect(first.json).toEqual({ redriven: 1, more: false });
    const [message] = await drain(api.queues.deliveriesQueueUrl);
    const decoded = decodeDeliveryJob(message!.Body!);
    expect(decoded.ok && decoded.job.redriveCount).toBe(3);
    expect(decoded.ok && decoded.job.dataJson).toBe(crmEvent(1).dataJson);
    const second = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/redrive` });
    expect(second.json).toEqual({ redriven: 0, more: false });
  });

  it('keeps an index entry that was replaced (dead-lettered again) after it was read', async () => {
    const id = await createWebhook();
    const [entry] = await deadLetter(id, 1);
    const index = new DeadLetterIndex(api.dynamo, api.tables.deliveryLog);
    const newer = { ...entry!, deadLetteredAt: new Date(Date.now() + 1000).toISOString() };
    await index.put(newer);
    expect(await index.remove(entry!)).toBe(false);
    expect(await index.get(id, entry!.deliveryId)).toEqual(newer);
    expect(await index.remove(newer)).toBe(true);
    expect(await index.get(id, entry!.deliveryId)).toBeUndefined();
  });

  it('refuses a disabled webhook with 409 (its jobs would be skipped)', async () => {
    const id = await createWebhook();
    await deadLetter(id, 1);
    await api.call({
      apiKey: api.keyA,
      method: 'PATCH',
      path: `/webhooks/${id}`,
      body: { status: 'disabled' },
    });
    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/redrive` });
    expect(response.status).toBe(409);
    expect(await indexOf(id)).toHaveLength(1);
  });
});

describe('POST /webhooks/{id}/deliveries/{deliveryId}/resend', () => {
  it('sends a dead-lettered delivery again with the same delivery id and removes it from the index', async () => {
    const id = await createWebhook();
    const [entry, kept] = await deadLetter(id, 2, 500);
    const response = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: `/webhooks/${id}/deliveries/${entry!.deliveryId}/resend`,
    });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ deliveryId: entry!.deliveryId, eventId: entry!.eventId });
    const [message, ...others] = await drain(api.queues.deliveriesQueueUrl);
    expect(others).toEqual([]);
    const decoded = decodeDeliveryJob(message!.Body!);
    expect(decoded.ok && decoded.job).toMatchObject({ deliveryId: entry!.deliveryId, redriveCount: 1 });
    expect((await indexOf(id)).map((e) => e.deliveryId)).toEqual([kept!.deliveryId]);
  });

  it('answers 404 problem+json when no payload is retained, or the id is malformed', async () => {
    const id = await createWebhook();
    for (const deliveryId of [deliveryIdFor(id, 'evt_never_dead'), 'not-a-delivery-id']) {
      const response = await api.call({
        apiKey: api.keyA,
        method: 'POST',
        path: `/webhooks/${id}/deliveries/${deliveryId}/resend`,
      });
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
    }
    const unknown = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: `/webhooks/${id}/deliveries/${deliveryIdFor(id, 'evt_never_dead')}/resend`,
    });
    expect(unknown.json.detail).toMatch(/only dead-lettered deliveries keep/);
    expect(await drain(api.queues.deliveriesQueueUrl)).toEqual([]);
  });

  it("answers 404 for another workspace's webhook and 409 for a disabled one", async () => {
    const id = await createWebhook();
    const [entry] = await deadLetter(id, 1, 700);
    const path = `/webhooks/${id}/deliveries/${entry!.deliveryId}/resend`;
    expect((await api.call({ apiKey: api.keyB, method: 'POST', path })).status).toBe(404);
    await api.call({
      apiKey: api.keyA,
      method: 'PATCH',
      path: `/webhooks/${id}`,
      body: { status: 'disabled' },
    });
    expect((await api.call({ apiKey: api.keyA, method: 'POST', path })).status).toBe(409);
    expect(await indexOf(id)).toHaveLength(1);
  });
});

describe('GET /webhooks/{id}/deliveries', () => {
  function attempt(webhookId: string, minute: number): DeliveryAttempt {
    return {
      webhookId,
      deliveryId: `msg_${minute}`,
      eventId: `evt_${minute}`,
      event: 'person.created',
      attempt: 1,
      outcome: minute % 2 === 0 ? 'delivered' : 'failed',
      ...(minute % 2 === 0 ? {} : { cause: 'http-5xx' }),
      statusCode: minute % 2 === 0 ? 200 : 503,
      durationMs: 40 + minute,
      attemptedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    };
  }

  it('lists attempts newest first over several pages', async () => {
    const id = await createWebhook();
    const log = new DeliveryLogStore(api.dynamo, api.tables.deliveryLog);
    for (let minute = 0; minute < 5; minute++) await log.record(attempt(id, minute), 30);

    const seen: DeliveryAttempt[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api.call({
        apiKey: api.keyA,
        method: 'GET',
        path: `/webhooks/${id}/deliveries?limit=2${query}`,
      });
      expect(page.status).toBe(200);
      seen.push(...page.json.data);
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((a) => a.deliveryId)).toEqual(['msg_4', 'msg_3', 'msg_2', 'msg_1', 'msg_0']);
    expect(seen[1]).toEqual(attempt(id, 3));
    expect(seen[0]).not.toHaveProperty('expiresAt');
    expect(seen[0]).not.toHaveProperty('attemptKey');
  });

  it('answers an empty page for a webhook without attempts, and 400 for a bad limit or cursor', async () => {
    const id = await createWebhook();
    const empty = await api.call({ apiKey: api.keyA, method: 'GET', path: `/webhooks/${id}/deliveries` });
    expect(empty.json).toEqual({ data: [], nextCursor: null });
    for (const query of ['limit=abc', 'limit=1000', 'cursor=%%%']) {
      const response = await api.call({
        apiKey: api.keyA,
        method: 'GET',
        path: `/webhooks/${id}/deliveries?${query}`,
      });
      expect(response.status, query).toBe(400);
    }
  });

  it('names the page-size rule for every bad limit (it said only "must be a whole number")', async () => {
    for (const limit of ['500', '0', '101', '-1', '1.5', 'abc']) {
      const response = await api.call({ apiKey: api.keyA, method: 'GET', path: `/webhooks?limit=${limit}` });
      expect(response.status, limit).toBe(400);
      expect(response.json, limit).toMatchObject({
        errors: [{ path: 'limit', message: 'must be a whole number from 1 to 100' }],
      });
    }
  });
});
