import {
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeliveryAttempt, DeliveryLogStore } from '../../../shared/adapters/dynamodb/deliveryLogStore';
import { DeadLetterRedrive } from '../../../shared/adapters/sqs/deadLetterRedrive';
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

/** Puts jobs straight into the DLQ, as SQS does after the last failed attempt. */
async function deadLetter(webhookId: string, count: number, offset = 0, withAttribute = true) {
  for (let start = 0; start < count; start += 10) {
    const entries = Array.from({ length: Math.min(10, count - start) }, (_, i) => {
      const [job] = encodeDeliveryJobs(crmEvent(offset + start + i), [webhookId]);
      return {
        Id: String(i),
        MessageBody: job!.body,
        ...(withAttribute
          ? { MessageAttributes: { webhookId: { DataType: 'String', StringValue: webhookId } } }
          : {}),
      };
    });
    await api.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: api.queues.deadLetterQueueUrl, Entries: entries }),
    );
  }
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
  it("moves only this webhook's dead-lettered jobs back, bumping redriveCount", async () => {
    const mine = await createWebhook();
    const other = await createWebhook();
    await deadLetter(mine, 23);
    await deadLetter(other, 14, 100);
    await deadLetter(mine, 2, 200, false); // older jobs without the attribute are still recognised

    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${mine}/redrive` });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ redriven: 25 });

    const moved = await drain(api.queues.deliveriesQueueUrl);
    expect(moved).toHaveLength(25);
    for (const message of moved) {
      expect(message.MessageAttributes?.webhookId?.StringValue).toBe(mine);
      const decoded = decodeDeliveryJob(message.Body!);
      if (!decoded.ok) throw new Error(decoded.error);
      expect(decoded.job.webhookId).toBe(mine);
      expect(decoded.job.redriveCount).toBe(1);
      const index = Number(decoded.job.eventId.replace('evt_redrive_', ''));
      expect(decoded.job.dataJson).toBe(crmEvent(index).dataJson);
      expect(decoded.job.deliveryId).toBe(deliveryIdFor(mine, decoded.job.eventId));
    }
    // The other webhook's jobs are visible again right away, untouched.
    const left = await drain(api.queues.deadLetterQueueUrl);
    expect(left).toHaveLength(14);
    expect(left.every((m) => m.MessageAttributes?.webhookId?.StringValue === other)).toBe(true);
  });

  it('increments redriveCount again on a second trip and answers 0 when nothing is dead-lettered', async () => {
    const id = await createWebhook();
    const [job] = encodeDeliveryJobs(crmEvent(1), [id]);
    const decodedJob = decodeDeliveryJob(job!.body);
    if (!decodedJob.ok) throw new Error(decodedJob.error);
    const body = encodeDeliveryJob({ ...decodedJob.job, redriveCount: 2 });
    await api.sqs.send(
      new SendMessageCommand({ QueueUrl: api.queues.deadLetterQueueUrl, MessageBody: body }),
    );
    const first = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/redrive` });
    expect(first.json).toEqual({ redriven: 1 });
    const [message] = await drain(api.queues.deliveriesQueueUrl);
    const decoded = decodeDeliveryJob(message!.Body!);
    expect(decoded.ok && decoded.job.redriveCount).toBe(3);
    expect(decoded.ok && decoded.job.dataJson).toBe(crmEvent(1).dataJson);
    const second = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/redrive` });
    expect(second.json).toEqual({ redriven: 0 });
  });

  it('stops at the message bound and releases what it scanned', async () => {
    const mine = await createWebhook();
    const other = await createWebhook();
    await deadLetter(other, 15);
    await deadLetter(mine, 5, 50);
    const redrive = new DeadLetterRedrive(api.sqs, api.queues, {
      maxMessages: 10,
      maxDurationMs: 10_000,
      visibilityTimeoutSeconds: 30,
      receiveWaitSeconds: 0,
    });
    const result = await redrive.redrive(mine);
    expect(result.scanned).toBe(10);
    expect(result.truncated).toBe(true);
    const moved = await drain(api.queues.deliveriesQueueUrl);
    expect(moved).toHaveLength(result.redriven);
    // Everything not moved is visible in the DLQ again at once: nothing lost, nothing stuck.
    expect(await drain(api.queues.deadLetterQueueUrl)).toHaveLength(20 - result.redriven);
  });

  it('leaves a corrupt message of no known webhook in the DLQ', async () => {
    const id = await createWebhook();
    await api.sqs.send(
      new SendMessageCommand({ QueueUrl: api.queues.deadLetterQueueUrl, MessageBody: 'not a job' }),
    );
    const response = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/redrive` });
    expect(response.json).toEqual({ redriven: 0 });
    expect(await drain(api.queues.deadLetterQueueUrl)).toHaveLength(1);
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
    expect(await drain(api.queues.deadLetterQueueUrl)).toHaveLength(1);
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
