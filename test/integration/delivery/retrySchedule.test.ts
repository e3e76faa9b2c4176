import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeliveryHandler } from '../../../functions/delivery/buildDeliveryHandler';
import { loadDeliveryConfig } from '../../../functions/delivery/config';
import { sqsJobQueues } from '../../../functions/delivery/sqsJobQueues';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../../infra/local/emulators/secretsManagerLocal';
import { type SqsLocal, startSqsLocal } from '../../../infra/local/emulators/sqsLocal';
import { type SqsPoller, startSqsPoller } from '../../../infra/local/sqsPoller';
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
import { baseDelaySeconds, DEFAULT_RETRY_POLICY, JITTER_RATIO } from '../../../shared/domain/retry';
import { generateWebhookSecret } from '../../../shared/domain/signing';
import { dynamoDbEndpoint, uniqueTableName } from '../../helpers/emulators';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../../helpers/signatureVerifyingReceiver';
import { crmEvent, deliveryJobBody } from '../../helpers/sqsEvents';
import { guardSqsRules } from '../../helpers/sqsRulesGuard';

/**
 * The real retry table (5 s, 5 min, 30 min, 2 h, 5 h …) scaled down by RETRY_SCHEDULE_TEST_SCALE
 * (default 0.001: 5 ms, 0.3 s, 1.8 s, 7.2 s, 18 s), run through the real handler, the local Lambda SQS
 * poller and fauxqs, with an SQS client that refuses what AWS would refuse (DelaySeconds > 900) and
 * any ChangeMessageVisibility. Every wait must follow the schedule: the planned wait within ±20 % of
 * the table's delay, and the next attempt arriving when planned, give or take SQS's whole-second
 * delays and the poller's latency.
 */
const SCALE = Number(process.env.RETRY_SCHEDULE_TEST_SCALE ?? '0.001');
const MAX_ATTEMPTS = 6;
/**
 * DelaySeconds is whole seconds (a wait is rounded up), the pollers long-poll for 1 s, and a retry moves
 * from the primary lane to the slow lane's poller; on a loaded 2-core machine that adds up to a few
 * seconds. The product promises ±1 minute.
 */
const LATE_TOLERANCE_MS = 5_000;
const EARLY_TOLERANCE_MS = 1_000;

let sqsLocal: SqsLocal;
let secretsLocal: SecretsManagerLocal;
let receiver: SignatureVerifyingReceiver;
let dynamoDb: DynamoDBClient;
let sqs: SQSClient;
let secretsManager: SecretsManagerClient;
let tables: ProductTableNames;
let http: WebhookHttpClient;
let pollers: SqsPoller[] = [];

beforeAll(async () => {
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
  http = createWebhookHttpClient({ policy: { allowLoopback: true } });
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await http?.close();
  await deleteTables(dynamoDb, Object.values(tables));
  await Promise.all([sqsLocal?.stop(), secretsLocal?.stop(), receiver?.stop()]);
  dynamoDb.destroy();
  sqs.destroy();
  secretsManager.destroy();
});

describe(`retry schedule: the real delay table scaled by ${SCALE}`, () => {
  it('waits as scheduled between attempts, dead-letters after the last, and breaks no SQS rule', async () => {
    const guard = guardSqsRules(sqs);
    const queues = sqsLocal.createDeliveryQueues({ maxReceiveCount: 5, visibilityTimeoutSeconds: 60 });
    const config = loadDeliveryConfig({
      WEBHOOKS_TABLE: tables.webhooks,
      DELIVERY_LOG_TABLE: tables.deliveryLog,
      DELIVERIES_QUEUE_URL: queues.deliveriesQueueUrl,
      DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
      SLOW_LANE_QUEUE_URL: queues.slowLaneQueueUrl,
      LOCAL_MODE: 'true',
      MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      RETRY_DELAY_SCALE: String(SCALE),
      // This test is about the schedule: a breaker opening after 5 failures would skip attempt 6's request.
      BREAKER_FAILURE_THRESHOLD: '100',
      WEBHOOK_CACHE_TTL_SECONDS: '0',
      SECRET_STORE: 'per-webhook',
    });
    const silent = new Logger({ serviceName: 'delivery', logLevel: 'SILENT' });
    const webhooks = new WebhookStore(dynamoDb, tables.webhooks);
    const deliveryLog = new DeliveryLogStore(dynamoDb, tables.deliveryLog);
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
      logger: silent,
      metrics: new Metrics({ namespace: 'CrmWebhooks', serviceName: 'delivery', logger: silent }),
      now: () => new Date(),
    });

    const id = 'wh_schedule';
    const secret = generateWebhookSecret();
    const created = await secretsManager.send(
      new CreateSecretCommand({ Name: `crm-webhooks/ws-1/${id}`, SecretString: secret }),
    );
    const now = new Date().toISOString();
    await webhooks.create({
      id,
      workspaceId: 'ws-1',
      targetUrl: `${receiver.url}/hook`,
      operations: ['*.*'],
      payloadFormat: 'default',
      status: 'active',
      createdAt: now,
      updatedAt: now,
      secretName: `crm-webhooks/ws-1/${id}`,
      secretVersionId: created.VersionId!,
      version: 1,
    });
    receiver.setSecrets([secret]);
    receiver.setDefaultResponse({ status: 500 });

    // Both lanes, as the function's two event sources: retries wait and run in the slow lane.
    pollers = await Promise.all(
      [queues.deliveriesQueueUrl, queues.slowLaneQueueUrl].map(async (queueUrl) => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
        );
        return startSqsPoller({
          sqs,
          queueUrl,
          queueArn: Attributes?.QueueArn ?? '',
          handler,
          functionName: 'delivery',
          timeoutMs: 10_000,
          concurrency: 2,
          maxBatchingWindowMs: 0,
          endWaitingPolls: () => sqsLocal.guard.endLongPolls(queueUrl),
        });
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.deliveriesQueueUrl,
        MessageBody: deliveryJobBody(id, crmEvent()),
      }),
    );

    const requests = await receiver.waitForRequests(MAX_ATTEMPTS, 60_000);
    const index = new DeadLetterIndex(dynamoDb, tables.deliveryLog);
    const deadline = Date.now() + 10_000;
    while ((await index.list(id, { limit: 10 })).items.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const attempts = (await deliveryLog.list(id, { limit: 20 })).items.reverse();

    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'failed'],
      [6, 'dead-lettered'],
    ]);
    for (let n = 1; n < MAX_ATTEMPTS; n++) {
      const entry = attempts[n - 1]!;
      const base = baseDelaySeconds(n, DEFAULT_RETRY_POLICY) * SCALE * 1000;
      const planned = Date.parse(entry.nextAttemptAt!) - (Date.parse(entry.attemptedAt) + entry.durationMs);
      // The plan: the table's delay ±20 % jitter, counted from the end of the attempt (up to 250 ms of
      // the attempt's own bookkeeping on a loaded machine lie between the response and the plan).
      expect(planned, `planned wait after attempt ${n}`).toBeGreaterThanOrEqual(
        base * (1 - JITTER_RATIO) - 50,
      );
      expect(planned, `planned wait after attempt ${n}`).toBeLessThanOrEqual(base * (1 + JITTER_RATIO) + 250);
      // What happened: the next request arrived when planned.
      const arrived = requests[n]!.receivedAt;
      const due = Date.parse(entry.nextAttemptAt!);
      expect(arrived - due, `attempt ${n + 1} vs its due time`).toBeGreaterThanOrEqual(-EARLY_TOLERANCE_MS);
      expect(arrived - due, `attempt ${n + 1} vs its due time`).toBeLessThanOrEqual(LATE_TOLERANCE_MS);
    }
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect((await index.list(id, { limit: 10 })).items).toHaveLength(1);
    expect(guard.violations).toEqual([]);
    // The emulator's own SQS rules guard (12 h visibility from receipt, in-flight quota, sizes) saw nothing either.
    expect(sqsLocal.guard.violations).toEqual([]);
  }, 90_000);

  it('the guard refuses what SQS would: a DelaySeconds above 900 fails the call', async () => {
    const client = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
    const guard = guardSqsRules(client);
    const queues = sqsLocal.createDeliveryQueues({
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 60,
      prefix: 'guard-',
    });
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: queues.deliveriesQueueUrl, MessageBody: 'x', DelaySeconds: 901 }),
      ),
    ).rejects.toThrow(/DelaySeconds 901/);
    expect(guard.violations).toEqual([
      { command: 'SendMessageCommand', rule: 'DelaySeconds 901 outside 0–900' },
    ]);
    client.destroy();
  });
});
