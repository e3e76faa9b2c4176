import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryHandler, type DeliveryHandler } from '../../../functions/delivery/buildDeliveryHandler';
import { loadDeliveryConfig } from '../../../functions/delivery/config';
import { sqsJobQueues } from '../../../functions/delivery/sqsJobQueues';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../../infra/local/emulators/secretsManagerLocal';
import { type DeliveryQueues, type SqsLocal, startSqsLocal } from '../../../infra/local/emulators/sqsLocal';
import { createProductTables, deleteTables, type ProductTableNames } from '../../../infra/local/tables';
import { DeadLetterIndex } from '../../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLimiterStore } from '../../../shared/adapters/dynamodb/deliveryLimiterStore';
import { DeliveryLogStore } from '../../../shared/adapters/dynamodb/deliveryLogStore';
import { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import {
  createWebhookHttpClient,
  type WebhookHttpClient,
} from '../../../shared/adapters/http/webhookHttpClient';
import { PerWebhookSigningSecrets } from '../../../shared/adapters/secrets/perWebhookSigningSecrets';
import { SigningSecretCache } from '../../../shared/adapters/secrets/signingSecretCache';
import type { DeliveryAttempt } from '../../../shared/domain/delivery/deliveryAttempt';
import { decodeDeliveryJob } from '../../../shared/domain/delivery/deliveryJob';
import { generateWebhookSecret } from '../../../shared/domain/signing';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import { dynamoDbEndpoint, uniqueTableName } from '../../helpers/emulators';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../../helpers/signatureVerifyingReceiver';
import { crmEvent, deliveryJobBody, pollOnce, queueArnOf } from '../../helpers/sqsEvents';
import { recordCallsAs } from '../../iam/sdkCallRecorder';

/**
 * The delivery handler against fauxqs (with a redrive policy to a DLQ: 3 receives), DynamoDB Local,
 * the local Secrets Manager and a real receiver that verifies both signature schemes. Jobs are
 * received from the queue exactly as Lambda's event source mapping would hand them over.
 */
const MAX_ATTEMPTS = 3;
const PAYLOAD_MARKER = 'Zanzibar-payload-marker';

let sqsLocal: SqsLocal;
let secretsLocal: SecretsManagerLocal;
let receiver: SignatureVerifyingReceiver;
let dynamoDb: DynamoDBClient;
let sqs: SQSClient;
let secretsManager: SecretsManagerClient;
let tables: ProductTableNames;
let webhooks: WebhookStore;
let deliveryLog: DeliveryLogStore;
let http: WebhookHttpClient;
const lookups: string[] = [];
const output: string[] = [];
const originalStdoutWrite = process.stdout.write.bind(process.stdout);
const originalStderrWrite = process.stderr.write.bind(process.stderr);

/** The function's logs at DEBUG, captured so the test can prove they hold no secrets or payloads. */
const logger = new Logger({ serviceName: 'delivery', logLevel: 'DEBUG' });
const metrics = new Metrics({ namespace: 'CrmWebhooks', serviceName: 'delivery', logger });

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;

  [sqsLocal, secretsLocal, receiver] = await Promise.all([
    startSqsLocal(),
    startSecretsManagerLocal(),
    startSignatureVerifyingReceiver(),
  ]);
  dynamoDb = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  secretsManager = new SecretsManagerClient({ endpoint: secretsLocal.endpoint });
  tables = {
    webhooks: uniqueTableName('webhooks'),
    apiKeys: uniqueTableName('api-keys'),
    deliveryLog: uniqueTableName('delivery-log'),
  };
  await createProductTables(dynamoDb, tables);
  webhooks = new WebhookStore(dynamoDb, tables.webhooks);
  deliveryLog = new DeliveryLogStore(dynamoDb, tables.deliveryLog);
  http = createWebhookHttpClient({
    policy: { allowLoopback: true },
    resolveHost: async (hostname) => {
      lookups.push(hostname);
      return hostname === 'metadata.test' ? [{ address: '169.254.169.254', family: 4 }] : [];
    },
  });
});

afterAll(async () => {
  process.stdout.write = originalStdoutWrite;
  process.stderr.write = originalStderrWrite;
  await http?.close();
  await deleteTables(dynamoDb, Object.values(tables));
  await Promise.all([sqsLocal?.stop(), secretsLocal?.stop(), receiver?.stop()]);
  dynamoDb.destroy();
  sqs.destroy();
  secretsManager.destroy();
});

let queues: DeliveryQueues;
let queueCount = 0;

beforeEach(() => {
  // A fresh queue pair per test, so a leftover job of one test never reaches another.
  queues = sqsLocal.createDeliveryQueues({
    maxReceiveCount: MAX_ATTEMPTS,
    visibilityTimeoutSeconds: 5,
    prefix: `t${++queueCount}-`,
  });
  receiver.requests.length = 0;
  receiver.setDefaultResponse({ status: 200, body: 'ok' });
  lookups.length = 0;
});

function handlerWith(overrides: Record<string, string> = {}): DeliveryHandler {
  const env = {
    WEBHOOKS_TABLE: tables.webhooks,
    DELIVERY_LOG_TABLE: tables.deliveryLog,
    DELIVERIES_QUEUE_URL: queues.deliveriesQueueUrl,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    SLOW_LANE_QUEUE_URL: queues.slowLaneQueueUrl,
    LOCAL_MODE: 'true',
    MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    RETRY_DELAYS_SECONDS: '1',
    WEBHOOK_CACHE_TTL_SECONDS: '1',
    // This suite covers the per-webhook store; envelope mode runs end to end (test/e2e/envelopeSecrets.test.ts).
    SECRET_STORE: 'per-webhook',
    ...overrides,
  };
  const config = loadDeliveryConfig(env);
  const handler = buildDeliveryHandler(config, {
    webhookStore: webhooks,
    deliveryLog,
    deadLetters: new DeadLetterIndex(dynamoDb, tables.deliveryLog),
    limiter: new DeliveryLimiterStore(dynamoDb, tables.deliveryLog),
    jobQueues: sqsJobQueues(sqs, {
      deliveries: config.deliveriesQueueUrl,
      'slow-lane': config.slowLaneQueueUrl,
      'dead-letter': config.deadLetterQueueUrl,
    }),
    signingSecrets: new PerWebhookSigningSecrets(new SigningSecretCache(secretsManager)),
    http,
    logger,
    metrics,
    now: () => new Date(),
  });
  // Its AWS calls count for the IAM check as the delivery function's.
  return (event, context) => recordCallsAs({ function: 'delivery', env }, () => handler(event, context));
}

/** A webhook row plus its secret in the local Secrets Manager, as the management API creates them. */
async function createWebhook(
  overrides: Partial<Webhook> = {},
): Promise<{ webhook: Webhook; secret: string }> {
  const id = `wh_${crypto.randomUUID().slice(0, 12)}`;
  const secret = generateWebhookSecret();
  const secretName = `crm-webhooks/ws-1/${id}`;
  const created = await secretsManager.send(
    new CreateSecretCommand({ Name: secretName, SecretString: secret }),
  );
  const now = new Date().toISOString();
  const webhook: Webhook = {
    id,
    workspaceId: 'ws-1',
    targetUrl: `${receiver.url}/hooks/${id}`,
    operations: ['*.*'],
    payloadFormat: 'default',
    status: 'active',
    createdAt: now,
    updatedAt: now,
    secretName,
    secretVersionId: created.VersionId!,
    version: 1,
    ...overrides,
  };
  await webhooks.create(webhook);
  receiver.setSecrets([secret]);
  return { webhook, secret };
}

async function enqueue(webhookId: string): Promise<string> {
  const body = deliveryJobBody(
    webhookId,
    crmEvent({ dataJson: `{"id":"r1","firstName":"${PAYLOAD_MARKER}","score":12345678901234567890}` }),
  );
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queues.deliveriesQueueUrl,
      MessageBody: body,
      MessageAttributes: { webhookId: { DataType: 'String', StringValue: webhookId } },
    }),
  );
  return body;
}

/** Polls like Lambda until `done()` or the time is up; returns how many invocations ran. */
async function driveUntil(handler: DeliveryHandler, done: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let invocations = 0;
  while (Date.now() < deadline) {
    // Both lanes, as the two event sources of the function would: retries run in the slow lane.
    let received = 0;
    for (const queueUrl of [queues.deliveriesQueueUrl, queues.slowLaneQueueUrl]) {
      received += (
        await pollOnce({ sqs, queueUrl, queueArn: queueArnOf(queueUrl), handler, waitTimeSeconds: 0 })
      ).received;
    }
    if (received === 0) await sleep(200);
    if (received > 0) invocations++;
    if (await done()) return invocations;
  }
  throw new Error('condition not reached in time');
}

async function attemptsOf(webhookId: string): Promise<DeliveryAttempt[]> {
  return (await deliveryLog.list(webhookId, { limit: 50 })).items.reverse();
}

/** Jobs on both lanes. */
async function pending(): Promise<number> {
  return (await queueDepth(queues.deliveriesQueueUrl)) + (await queueDepth(queues.slowLaneQueueUrl));
}

async function queueDepth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

describe('delivery handler against the emulators', () => {
  it('delivers a job: both signatures verify, the attempt is logged, the message is deleted', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    const body = await enqueue(webhook.id);

    await driveUntil(handler, async () => receiver.requests.length === 1);

    const [request] = receiver.requests;
    expect(request?.verified).toBe(true);
    expect(request?.headers['webhook-id']).toBe(JSON.parse(body).deliveryId);
    expect(request?.body).toContain('"score":12345678901234567890');
    expect(await attemptsOf(webhook.id)).toEqual([
      expect.objectContaining({ outcome: 'delivered', attempt: 1, statusCode: 200, responseBody: 'ok' }),
    ]);
    expect(await pending()).toBe(0);
  });

  it('500 then 200: delivered on the second attempt with the same webhook-id', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    receiver.respondWith({ status: 500, body: 'try later' });
    await enqueue(webhook.id);

    await driveUntil(handler, async () => receiver.requests.length === 2);

    const [first, second] = receiver.requests;
    expect(first?.verified && second?.verified).toBe(true);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.headers['x-twenty-webhook-nonce']).not.toBe(first?.headers['x-twenty-webhook-nonce']);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(700);
    const attempts = await attemptsOf(webhook.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.cause ?? null])).toEqual([
      [1, 'failed', 'http-5xx'],
      [2, 'delivered', null],
    ]);
    expect(attempts[0]?.nextAttemptAt).toBeDefined();
    expect(await pending()).toBe(0);
    // The failure run ended with the success.
    expect((await webhooks.get('ws-1', webhook.id, { consistent: true }))?.failingSince).toBeUndefined();
  });

  it('always 500: after MAX_ATTEMPTS the job is in the DLQ and the webhook dead-letter index, logged as dead-lettered', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    receiver.setDefaultResponse({ status: 500 });
    const body = await enqueue(webhook.id);

    await driveUntil(handler, async () => (await queueDepth(queues.deadLetterQueueUrl)) === 1);

    expect(receiver.requests).toHaveLength(MAX_ATTEMPTS);
    const attempts = await attemptsOf(webhook.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'dead-lettered']);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const sent = decodeDeliveryJob(body);
    const dead = decodeDeliveryJob(Messages[0]?.Body ?? '');
    if (!sent.ok || !dead.ok) throw new Error('undecodable job');
    expect(dead.job).toEqual({ ...sent.job, attempt: MAX_ATTEMPTS });
    expect(Messages[0]?.MessageAttributes?.webhookId?.StringValue).toBe(webhook.id);
    // Sent there by the function, not moved by the redrive policy after repeated receives.
    expect(Messages[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await pending()).toBe(0);
    // The index lives beside the attempt log (which does not list it) and holds the job to redrive.
    const index = await new DeadLetterIndex(dynamoDb, tables.deliveryLog).list(webhook.id, { limit: 10 });
    expect(index.items).toEqual([
      expect.objectContaining({
        webhookId: webhook.id,
        deliveryId: sent.job.deliveryId,
        attempts: MAX_ATTEMPTS,
        cause: 'http-5xx',
        jobBody: Messages[0]?.Body,
      }),
    ]);
  });

  it('410 Gone disables the webhook and acknowledges the job', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    receiver.respondWith({ status: 410 });
    await enqueue(webhook.id);

    await driveUntil(handler, async () => receiver.requests.length === 1);

    expect(await webhooks.get('ws-1', webhook.id, { consistent: true })).toMatchObject({
      status: 'disabled',
      disabledReason: 'gone',
    });
    expect((await attemptsOf(webhook.id)).map((a) => a.outcome)).toEqual(['gone']);
    expect(await pending()).toBe(0);
  });

  it('a primary-lane timeout moves the job to the slow lane (same attempt, endpoint marked slow), where it is delivered', async () => {
    const handler = handlerWith({ REQUEST_TIMEOUT_MS: '300' });
    const { webhook } = await createWebhook();
    receiver.respondWith({ status: 200, delayMs: 3_000 });
    await enqueue(webhook.id);

    await driveUntil(handler, async () =>
      (await attemptsOf(webhook.id)).some((a) => a.outcome === 'delivered'),
    );

    expect(receiver.requests).toHaveLength(2);
    // The timed-out try in the primary lane spends no attempt: attempt 1 continues in the slow lane and is
    // the delivery. The delivery log shows both requests the receiver got.
    const logged = (await attemptsOf(webhook.id)).map((a) => [a.attempt, a.outcome, a.cause]);
    expect(logged.sort()).toEqual([
      [1, 'delivered', undefined],
      [1, 'failed', 'timeout'],
    ]);
    // The endpoint was marked slow, then the success cleared it.
    expect((await webhooks.get('ws-1', webhook.id, { consistent: true }))?.slowUntil).toBeUndefined();
  });

  it('does not follow a redirect to a private address', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    receiver.respondWith({ status: 302, headers: { location: 'http://metadata.test/latest/meta-data/' } });
    await enqueue(webhook.id);

    await driveUntil(handler, async () => (await attemptsOf(webhook.id)).length === 1);

    expect(receiver.requests).toHaveLength(1);
    expect(lookups).not.toContain('metadata.test');
    expect((await attemptsOf(webhook.id))[0]).toMatchObject({
      outcome: 'failed',
      cause: 'http-3xx',
      statusCode: 302,
    });
  });

  it('refuses a target that resolves to the metadata address', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook({ targetUrl: 'http://metadata.test/hook' });
    await enqueue(webhook.id);

    await driveUntil(handler, async () => (await attemptsOf(webhook.id)).length === 1);

    expect(receiver.requests).toHaveLength(0);
    expect((await attemptsOf(webhook.id))[0]).toMatchObject({ outcome: 'failed', cause: 'blocked' });
  });

  it('rotation: both secrets sign during the window, the Twenty header uses the newest; it applies within seconds', async () => {
    const handler = handlerWith();
    const { webhook, secret: oldSecret } = await createWebhook();
    await enqueue(webhook.id);
    await driveUntil(handler, async () => receiver.requests.length === 1);

    const newSecret = generateWebhookSecret();
    const rotated = await secretsManager.send(
      new PutSecretValueCommand({ SecretId: webhook.secretName, SecretString: newSecret }),
    );
    await webhooks.update(
      'ws-1',
      webhook.id,
      {
        secretVersionId: rotated.VersionId!,
        previousSecretVersionId: webhook.secretVersionId,
        previousSecretExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
      webhook.version,
      new Date(),
    );
    receiver.setSecrets([newSecret, oldSecret]);
    await sleep(1_100); // WEBHOOK_CACHE_TTL_SECONDS = 1 here (5 by default)
    await enqueue(webhook.id);
    await driveUntil(handler, async () => receiver.requests.length === 2);

    const [before, during] = receiver.requests;
    expect(before?.verified).toBe(true); // verified then against the only secret there was
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(during?.standardValidFor).toEqual([true, true]);
    expect(during?.twentyValidFor).toEqual([true, false]);
  });

  it('keeps only the first KB of an oversized response body in the attempt log', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    receiver.respondWith({ status: 200, body: `${'x'.repeat(1024)}${'y'.repeat(200_000)}` });
    await enqueue(webhook.id);

    await driveUntil(handler, async () => (await attemptsOf(webhook.id)).length === 1);

    expect((await attemptsOf(webhook.id))[0]?.responseBody).toBe('x'.repeat(1024));
  });

  it('auto-disables a webhook failing for longer than AUTO_DISABLE_AFTER_HOURS', async () => {
    const handler = handlerWith();
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000).toISOString();
    const { webhook } = await createWebhook({ failingSince: sixDaysAgo });
    receiver.setDefaultResponse({ status: 503 });
    await enqueue(webhook.id);
    await enqueue(webhook.id);

    await driveUntil(handler, async () => (await pending()) === 0);

    expect(await webhooks.get('ws-1', webhook.id, { consistent: true })).toMatchObject({
      status: 'disabled',
      disabledReason: 'failing',
      failingSince: sixDaysAgo,
    });
    const outcomes = (await attemptsOf(webhook.id)).map((a) => a.outcome);
    expect(outcomes).toContain('failed');
    expect(outcomes.every((outcome) => outcome === 'failed' || outcome === 'skipped')).toBe(true);
  });

  it('reads Secrets Manager once per secret version, not once per delivery', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    const before = secretsLocal.requestCounts.GetSecretValue ?? 0;
    for (let i = 0; i < 12; i++) await enqueue(webhook.id);

    await driveUntil(handler, async () => receiver.requests.length === 12);

    expect((secretsLocal.requestCounts.GetSecretValue ?? 0) - before).toBe(1);
  });

  it('retries a job when Secrets Manager fails, without losing it or consuming an attempt', async () => {
    const handler = handlerWith();
    const { webhook } = await createWebhook();
    secretsLocal.failNext('GetSecretValue', 'EncryptionFailure');
    await enqueue(webhook.id);

    await driveUntil(handler, async () => receiver.requests.length === 1);

    expect((await attemptsOf(webhook.id)).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'delivered']]);
  });

  it('never logs secrets or payloads', () => {
    const text = output.join('');
    expect(text).toContain('Delivered');
    expect(text).not.toContain(PAYLOAD_MARKER);
    for (const secret of secretsLocal.allSecretStrings()) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice('whsec_'.length));
    }
  });
});
