import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEventMapperHandler } from '../../../../functions/event-mapper/buildEventMapperHandler';
import type { EventMapperConfig } from '../../../../functions/event-mapper/config';
import {
  logger as mapperLogger,
  metrics as mapperMetrics,
} from '../../../../functions/event-mapper/observability';
import { type SqsLocal, startSqsLocal } from '../../../../infra/local/emulators/sqsLocal';
import { createProductTables, deleteTables } from '../../../../infra/local/tables';
import { WebhookStore } from '../../../../shared/adapters/dynamodb/webhookStore';
import { DeliveryJobSender } from '../../../../shared/adapters/sqs/deliveryJobSender';
import { type DeliveryJob, decodeDeliveryJob } from '../../../../shared/domain/delivery/deliveryJob';
import { deliveryIdFor, eventIdFor } from '../../../../shared/domain/delivery/stableIds';
import type { Webhook } from '../../../../shared/domain/webhooks/webhook';
import {
  mapperConfig,
  mapperContext,
  streamEvent,
  testCrmSources,
  webhookItem,
} from '../../../helpers/dynamoStreamEvents';
import { dynamoDbEndpoint, uniqueTableName } from '../../../helpers/emulators';
import { insertRecord, modifyRecord, removeRecord } from '../../../helpers/streamRecordFactories';

const tables = {
  webhooks: uniqueTableName('mapper-webhooks'),
  apiKeys: uniqueTableName('mapper-keys'),
  deliveryLog: uniqueTableName('mapper-log'),
};
const CHANGED_AT = '2025-11-27T13:00:00.000Z'; // the factories' ApproximateCreationDateTime

let dynamo: DynamoDBClient;
let store: WebhookStore;
let sqsLocal: SqsLocal;
let sqs: SQSClient;
/** Workspaces the webhooks table was queried for, in order. */
let queriedWorkspaces: string[] = [];
/** SendMessageBatch requests sent through the real client. */
let batchRequests: SendMessageBatchCommandInput[] = [];

beforeAll(async () => {
  dynamo = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as QueryCommandInput;
      if (context.commandName === 'QueryCommand' && input.TableName === tables.webhooks) {
        queriedWorkspaces.push(input.ExpressionAttributeValues?.[':ws']?.S ?? '?');
      }
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  await createProductTables(dynamo, tables);
  store = new WebhookStore(dynamo, tables.webhooks);
  sqsLocal = await startSqsLocal();
  sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        batchRequests.push(args.input as SendMessageBatchCommandInput);
      }
      return next(args);
    },
    { step: 'initialize', name: 'observeBatches' },
  );
});

afterAll(async () => {
  await deleteTables(dynamo, Object.values(tables));
  await sqsLocal.stop();
  dynamo.destroy();
  sqs.destroy();
});

afterEach(() => {
  queriedWorkspaces = [];
  batchRequests = [];
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

interface Received {
  job: DeliveryJob;
  webhookIdAttribute: string | undefined;
}

async function receiveJobs(queueUrl: string): Promise<Received[]> {
  const received: Received[] = [];
  for (;;) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!page.Messages?.length) break;
    for (const message of page.Messages) {
      const decoded = decodeDeliveryJob(message.Body ?? '');
      if (!decoded.ok) throw new Error(decoded.error);
      received.push({
        job: decoded.job,
        webhookIdAttribute: message.MessageAttributes?.webhookId?.StringValue,
      });
    }
  }
  return received.sort((a, b) => a.job.deliveryId.localeCompare(b.job.deliveryId));
}

interface Harness {
  queueUrl: string;
  config: EventMapperConfig;
  clock: { now: number };
  invoke(...records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse>;
  jobs(): Promise<Received[]>;
}

let queueCounter = 0;

/** A handler wired to the real webhooks table and a fresh fauxqs queue, as `handler.ts` wires it on AWS. */
async function harness(
  options: {
    webhooks?: Webhook[];
    config?: Partial<EventMapperConfig>;
    sqsClient?: SQSClient;
    logger?: Logger;
    metrics?: Metrics;
  } = {},
): Promise<Harness> {
  queueCounter += 1;
  const queueUrl = sqsLocal.createDeliveryQueues({
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 600,
    prefix: `h${queueCounter}-`,
  }).deliveriesQueueUrl;
  for (const webhook of options.webhooks ?? []) await store.create(webhook);
  const config = mapperConfig({
    webhooksTable: tables.webhooks,
    deliveriesQueueUrl: queueUrl,
    ...options.config,
  });
  const clock = { now: Date.now() };
  const handler = buildEventMapperHandler(config, {
    webhookStore: store,
    jobSender: new DeliveryJobSender(options.sqsClient ?? sqs, {
      queueUrl,
      maxMessageBytes: config.sqsMaxMessageBytes,
      concurrency: config.sendConcurrency,
      sleep: async () => undefined,
    }),
    now: () => new Date(clock.now),
    logger: options.logger ?? mapperLogger,
    metrics: options.metrics ?? mapperMetrics,
  });
  return {
    queueUrl,
    config,
    clock,
    invoke: (...records) => handler(streamEvent(...records), mapperContext()),
    jobs: () => receiveJobs(queueUrl),
  };
}

const workspace = () => `ws-${randomUUID().slice(0, 8)}`;
const noFailures = { batchItemFailures: [] };

/** The delivery id a receiver sees for this webhook and stream record. */
const expectedDeliveryId = (webhookId: string, record: DynamoDBRecord, table = 'person') =>
  deliveryIdFor(webhookId, eventIdFor(table, record.eventID as string));

describe('event mapper: event rules end to end', () => {
  const alice = (ws: string, extra: Record<string, unknown> = {}) => ({
    id: 'p-1',
    workspaceId: ws,
    firstName: 'Alice',
    score: new NumberValue('12345678901234567890.5'),
    ...extra,
  });

  it('INSERT → created, with the new image as exact JSON and a deterministic delivery id', async () => {
    const ws = workspace();
    const hook = webhookItem({ workspaceId: ws });
    const h = await harness({ webhooks: [hook] });
    const record = insertRecord(alice(ws));

    expect(await h.invoke(record)).toEqual(noFailures);

    const [received, ...rest] = await h.jobs();
    expect(rest).toEqual([]);
    expect(received?.webhookIdAttribute).toBe(hook.id);
    expect(received?.job).toEqual({
      v: 1,
      deliveryId: expectedDeliveryId(hook.id, record),
      webhookId: hook.id,
      workspaceId: ws,
      eventId: eventIdFor('person', record.eventID as string),
      event: 'person.created',
      object: 'person',
      action: 'created',
      recordId: 'p-1',
      timestamp: CHANGED_AT,
      dataJson: `{"id":"p-1","workspaceId":"${ws}","firstName":"Alice","score":12345678901234567890.5}`,
    });
    expect(received?.job.deliveryId).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('MODIFY that changes fields → updated, with the changed top-level names', async () => {
    const ws = workspace();
    const hook = webhookItem({ workspaceId: ws });
    const h = await harness({ webhooks: [hook] });

    await h.invoke(modifyRecord(alice(ws), alice(ws, { firstName: 'Alicia', city: 'Lyon' })));

    const [received] = await h.jobs();
    expect(received?.job).toMatchObject({
      event: 'person.updated',
      action: 'updated',
      updatedFields: ['city', 'firstName'],
      dataJson: `{"id":"p-1","workspaceId":"${ws}","firstName":"Alicia","score":12345678901234567890.5,"city":"Lyon"}`,
    });
  });

  it.each([
    ['MODIFY that sets deletedAt', 'deleted', () => modifyRecord(aliceLive, aliceDeleted), 'live'],
    ['MODIFY that clears deletedAt', 'restored', () => modifyRecord(aliceDeleted, aliceLive), 'live'],
    [
      'REMOVE of a live record (the source has a soft-delete attribute)',
      'destroyed',
      () => removeRecord(aliceLive),
      'live',
    ],
    ['REMOVE of a soft-deleted record', 'destroyed', () => removeRecord(aliceDeleted), 'deleted'],
  ])('%s → %s', async (_rule, action, makeRecord, dataState) => {
    const hook = webhookItem({ workspaceId: RULES_WS });
    const h = await harness({ webhooks: [hook] });

    expect(await h.invoke(makeRecord())).toEqual(noFailures);

    const jobs = await h.jobs();
    expect(jobs.map((j) => j.job.event)).toEqual([`person.${action}`]);
    const data = JSON.parse(jobs[0]?.job.dataJson ?? '{}');
    // Deletes carry the record before the change; restores the record after it.
    expect('deletedAt' in data).toBe(dataState === 'deleted');
    await store.delete(RULES_WS, hook.id);
  });

  it('a soft delete gives twenty-format webhooks the trashed record and the others the record before it', async () => {
    const ws = workspace();
    const plain = webhookItem({ workspaceId: ws });
    const twenty = webhookItem({ workspaceId: ws, payloadFormat: 'twenty' });
    const h = await harness({ webhooks: [plain, twenty] });
    const live = { id: 'p-1', workspaceId: ws, firstName: 'Alice' };

    await h.invoke(modifyRecord(live, { ...live, deletedAt: '2026-11-27T12:59:00.000Z' }));

    const byWebhook = new Map((await h.jobs()).map((j) => [j.job.webhookId, j.job]));
    expect(byWebhook.get(plain.id)).toMatchObject({
      event: 'person.deleted',
      updatedFields: ['deletedAt'],
      dataJson: `{"id":"p-1","workspaceId":"${ws}","firstName":"Alice"}`,
    });
    expect(byWebhook.get(twenty.id)).toMatchObject({
      event: 'person.deleted',
      updatedFields: ['deletedAt'],
      dataJson: `{"id":"p-1","workspaceId":"${ws}","firstName":"Alice","deletedAt":"2026-11-27T12:59:00.000Z"}`,
    });
  });

  it('a source without a soft-delete attribute: REMOVE of a live record → deleted', async () => {
    const ws = workspace();
    const hook = webhookItem({ workspaceId: ws });
    const h = await harness({
      webhooks: [hook],
      config: { crmSources: { ...testCrmSources(), softDeleteAttribute: null } },
    });
    await h.invoke(removeRecord({ id: 'p-1', workspaceId: ws }));
    expect((await h.jobs()).map((j) => j.job.event)).toEqual(['person.deleted']);
  });

  it('MODIFY with no change → no event and no job, and the record is not reported as failed', async () => {
    const ws = workspace();
    const h = await harness({ webhooks: [webhookItem({ workspaceId: ws })] });
    expect(await h.invoke(modifyRecord(alice(ws), alice(ws)))).toEqual(noFailures);
    expect(await h.jobs()).toEqual([]);
    // Nothing to deliver, so the webhooks table is not even read.
    expect(queriedWorkspaces).toEqual([]);
  });

  it('single-table design: the object comes from the configured item attribute', async () => {
    const ws = workspace();
    const hook = webhookItem({ workspaceId: ws, operations: ['company.*'] });
    const h = await harness({ webhooks: [hook] });
    const record = insertRecord(
      { id: 'c-1', workspaceId: ws, entityType: 'company', name: 'Acme' },
      { tableName: 'crm' },
    );

    expect(await h.invoke(record)).toEqual(noFailures);

    const jobs = await h.jobs();
    expect(jobs.map((j) => [j.job.event, j.job.deliveryId])).toEqual([
      ['company.created', expectedDeliveryId(hook.id, record, 'crm')],
    ]);
  });
});

const RULES_WS = `ws-rules-${randomUUID().slice(0, 8)}`;
const aliceLive = { id: 'p-1', workspaceId: RULES_WS, firstName: 'Alice' };
const aliceDeleted = { ...aliceLive, deletedAt: '2026-11-27T12:59:00.000Z' };

describe('event mapper: fan-out', () => {
  it('handles several workspaces in one batch with one webhooks read per workspace', async () => {
    const [wsA, wsB, wsDefault] = [workspace(), workspace(), workspace()];
    const a1 = webhookItem({ workspaceId: wsA });
    const a2 = webhookItem({ workspaceId: wsA });
    const b1 = webhookItem({ workspaceId: wsB });
    const d1 = webhookItem({ workspaceId: wsDefault });
    const h = await harness({
      webhooks: [a1, a2, b1, d1],
      config: { crmSources: testCrmSources({ defaultWorkspaceId: wsDefault }) },
    });
    const records = [
      insertRecord({ id: 'p-1', workspaceId: wsA }),
      insertRecord({ id: 'p-2', workspaceId: wsB }),
      insertRecord({ id: 'p-3', workspaceId: wsA }),
      insertRecord({ id: 'p-4' }), // no workspace attribute: the default workspace
      insertRecord({ id: 'c-1', workspaceId: wsB }, { tableName: 'company' }),
    ];

    expect(await h.invoke(...records)).toEqual(noFailures);

    expect([...queriedWorkspaces].sort()).toEqual([wsA, wsB, wsDefault].sort());
    const pairs = (await h.jobs())
      .map((j) => `${j.job.webhookId} ${j.job.recordId} ${j.job.workspaceId}`)
      .sort();
    expect(pairs).toEqual(
      [
        `${a1.id} p-1 ${wsA}`,
        `${a2.id} p-1 ${wsA}`,
        `${a1.id} p-3 ${wsA}`,
        `${a2.id} p-3 ${wsA}`,
        `${b1.id} p-2 ${wsB}`,
        `${b1.id} c-1 ${wsB}`,
        `${d1.id} p-4 ${wsDefault}`,
      ].sort(),
    );
  });

  it('sends each event only to the webhooks whose operations match it', async () => {
    const ws = workspace();
    const exact = webhookItem({ workspaceId: ws, operations: ['person.created'] });
    const objectWide = webhookItem({ workspaceId: ws, operations: ['person.*'] });
    const actionWide = webhookItem({ workspaceId: ws, operations: ['*.destroyed'] });
    const companies = webhookItem({ workspaceId: ws, operations: ['company.updated', 'company.created'] });
    const h = await harness({ webhooks: [exact, objectWide, actionWide, companies] });

    await h.invoke(
      insertRecord({ id: 'p-1', workspaceId: ws }),
      modifyRecord({ id: 'p-1', workspaceId: ws, a: 1 }, { id: 'p-1', workspaceId: ws, a: 2 }),
      removeRecord({ id: 'c-1', workspaceId: ws }, { tableName: 'company' }),
    );

    const got = (await h.jobs()).map((j) => `${j.job.webhookId} ${j.job.event}`).sort();
    expect(got).toEqual(
      [
        `${exact.id} person.created`,
        `${objectWide.id} person.created`,
        `${objectWide.id} person.updated`,
        `${actionWide.id} company.destroyed`,
      ].sort(),
    );
  });

  it('applies each webhook’s field filter: updatedFields to updates only, where to the record (before it, for deletes)', async () => {
    const ws = workspace();
    const stageChanges = webhookItem({ workspaceId: ws, filter: { updatedFields: ['stage'] } });
    const wonOrLost = webhookItem({ workspaceId: ws, filter: { where: { stage: ['WON', 'LOST'] } } });
    const plain = webhookItem({ workspaceId: ws });
    const h = await harness({ webhooks: [stageChanges, wonOrLost, plain] });
    const open = { id: 'p-1', workspaceId: ws, stage: 'OPEN', amount: 1 };
    const won = { ...open, stage: 'WON' };

    await h.invoke(
      insertRecord(open),
      modifyRecord(open, { ...open, amount: 2 }),
      modifyRecord(open, won),
      removeRecord(won),
    );

    const got = (await h.jobs())
      .map((j) => `${j.job.webhookId} ${j.job.event} ${j.job.updatedFields ?? ''}`)
      .sort();
    expect(got).toEqual(
      [
        `${plain.id} person.created `,
        `${plain.id} person.updated amount`,
        `${plain.id} person.updated stage`,
        `${plain.id} person.destroyed `,
        // updatedFields: every non-update event, and the update that changed the stage.
        `${stageChanges.id} person.created `,
        `${stageChanges.id} person.updated stage`,
        `${stageChanges.id} person.destroyed `,
        // where: the records that are WON after the change, and the removal of a WON record.
        `${wonOrLost.id} person.updated stage`,
        `${wonOrLost.id} person.destroyed `,
      ].sort(),
    );
  });

  it('sends exact-only events (CRM config `objects.<name>.exactOnly`) only to exact subscriptions', async () => {
    const ws = workspace();
    const exact = webhookItem({ workspaceId: ws, operations: ['person.updated'] });
    const everything = webhookItem({ workspaceId: ws, operations: ['*.*'] });
    const objectWide = webhookItem({ workspaceId: ws, operations: ['person.*'] });
    const actionWide = webhookItem({ workspaceId: ws, operations: ['*.updated'] });
    const h = await harness({
      webhooks: [exact, everything, objectWide, actionWide],
      config: { crmSources: { ...testCrmSources(), objects: { person: { exactOnly: ['updated'] } } } },
    });

    await h.invoke(
      insertRecord({ id: 'p-1', workspaceId: ws }),
      modifyRecord({ id: 'p-1', workspaceId: ws, a: 1 }, { id: 'p-1', workspaceId: ws, a: 2 }),
    );

    const got = (await h.jobs()).map((j) => `${j.job.webhookId} ${j.job.event}`).sort();
    expect(got).toEqual(
      [
        `${everything.id} person.created`,
        `${objectWide.id} person.created`,
        `${exact.id} person.updated`,
      ].sort(),
    );
  });

  it('enqueues nothing when no webhook matches, and nothing for disabled webhooks', async () => {
    const ws = workspace();
    const h = await harness({
      webhooks: [
        webhookItem({ workspaceId: ws, operations: ['company.*'] }),
        webhookItem({ workspaceId: ws, status: 'disabled', disabledReason: 'gone' }),
      ],
    });
    expect(await h.invoke(insertRecord({ id: 'p-1', workspaceId: ws }))).toEqual(noFailures);
    expect(await h.jobs()).toEqual([]);
  });

  it('gives every webhook its own delivery id and the same ids when a batch is processed again', async () => {
    const ws = workspace();
    const hooks = [webhookItem({ workspaceId: ws }), webhookItem({ workspaceId: ws })];
    const h = await harness({ webhooks: hooks });
    const record = insertRecord({ id: 'p-1', workspaceId: ws });

    await h.invoke(record);
    const first = (await h.jobs()).map((j) => j.job.deliveryId);
    // A stream retry hands the same record to a new container.
    const again = await harness();
    await again.invoke(record);
    const second = (await again.jobs()).map((j) => j.job.deliveryId);

    expect(new Set(first).size).toBe(2);
    expect(second).toEqual(first);
    expect(first.sort()).toEqual(hooks.map((hook) => expectedDeliveryId(hook.id, record)).sort());
  });
});

describe('event mapper: webhook cache', () => {
  it('reuses a workspace’s webhooks across batches until the cache time has passed', async () => {
    const ws = workspace();
    const first = webhookItem({ workspaceId: ws });
    const h = await harness({ webhooks: [first], config: { webhookCacheTtlSeconds: 30 } });

    await h.invoke(
      insertRecord({ id: 'p-1', workspaceId: ws }),
      insertRecord({ id: 'p-2', workspaceId: ws }),
    );
    await h.invoke(insertRecord({ id: 'p-3', workspaceId: ws }));
    expect(queriedWorkspaces).toEqual([ws]);

    // A webhook created meanwhile is picked up once the cached list expires.
    const late = webhookItem({ workspaceId: ws });
    await store.create(late);
    await h.invoke(insertRecord({ id: 'p-4', workspaceId: ws }));
    h.clock.now += 30_001;
    await h.invoke(insertRecord({ id: 'p-5', workspaceId: ws }));

    expect(queriedWorkspaces).toEqual([ws, ws]);
    const got = (await h.jobs()).map(
      (j) => `${j.job.recordId} ${j.job.webhookId === late.id ? 'late' : 'first'}`,
    );
    expect(got.sort()).toEqual(['p-1 first', 'p-2 first', 'p-3 first', 'p-4 first', 'p-5 first', 'p-5 late']);
  });
});

describe('event mapper: batching', () => {
  it('packs jobs 10 per SendMessageBatch request', async () => {
    const ws = workspace();
    const hooks = Array.from({ length: 5 }, () => webhookItem({ workspaceId: ws }));
    const h = await harness({ webhooks: hooks });
    const records = Array.from({ length: 5 }, (_, i) => insertRecord({ id: `p-${i}`, workspaceId: ws }));

    expect(await h.invoke(...records)).toEqual(noFailures);

    expect(batchRequests.map((r) => r.Entries?.length)).toEqual([10, 10, 5]);
    // Entry ids name the record and the job, so a failure maps back to its record.
    expect(batchRequests[0]?.Entries?.map((e) => e.Id)).toContain('r0-j4');
    expect(await h.jobs()).toHaveLength(25);
  });

  it('sends the jobs of a ~400 KB item to five webhooks in requests under the 1 MiB limit', async () => {
    const ws = workspace();
    const hooks = Array.from({ length: 5 }, () => webhookItem({ workspaceId: ws }));
    const h = await harness({ webhooks: hooks });
    const notes = 'n'.repeat(395_000);
    const record = insertRecord({ id: 'p-big', workspaceId: ws, notes });

    expect(await h.invoke(record)).toEqual(noFailures);

    // Each job is ~395 KB: two fit in one request, three do not.
    expect(batchRequests.map((r) => r.Entries?.length)).toEqual([2, 2, 1]);
    const jobs = await h.jobs();
    expect(jobs.map((j) => j.job.webhookId).sort()).toEqual(hooks.map((hook) => hook.id).sort());
    expect(jobs.every((j) => JSON.parse(j.job.dataJson).notes === notes)).toBe(true);
  });
});

describe('event mapper: failures', () => {
  it('reports exactly the records whose jobs SQS kept failing, after retrying them', async () => {
    const ws = workspace();
    const hook = webhookItem({ workspaceId: ws });
    // fauxqs cannot fail an entry on its side; this is the one fault simulated.
    const client = new SQSClient({});
    const mocked = mockClient(client);
    let sqsFailsRecord1 = true;
    mocked.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      const entries = input.Entries ?? [];
      const failing = entries.filter((e) => sqsFailsRecord1 && e.Id?.startsWith('r1-'));
      return {
        Successful: entries
          .filter((e) => !failing.includes(e))
          .map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
        Failed: failing.map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' })),
      };
    });
    const h = await harness({ webhooks: [hook], sqsClient: client });
    const records = [0, 1, 2].map((i) => insertRecord({ id: `p-${i}`, workspaceId: ws }));
    const output = captureOutput();

    const response = await h.invoke(...records);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
    const sentIds = mocked
      .commandCalls(SendMessageBatchCommand)
      .map((c) => c.args[0].input.Entries?.map((e) => e.Id));
    expect(sentIds).toEqual([['r0-j0', 'r1-j0', 'r2-j0'], ['r1-j0'], ['r1-j0']]);
    expect(output.lines().find((line) => line.message?.startsWith('SQS did not accept'))).toMatchObject({
      keys: { id: { S: 'p-1' } },
      entryId: 'r1-j0',
      code: 'InternalError',
      attempts: 3,
    });

    // Lambda retries from the reported record; the jobs after it that already went out are not re-sent.
    sqsFailsRecord1 = false;
    mocked.resetHistory();
    expect(await h.invoke(...records.slice(1))).toEqual(noFailures);
    const retried = mocked.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries);
    expect(retried).toHaveLength(1);
    expect(retried[0]?.map((e) => JSON.parse(e.MessageBody ?? '{}').recordId)).toEqual(['p-1']);
  });

  it("on a retry sends only the jobs SQS refused, not the record's other webhooks' jobs", async () => {
    const ws = workspace();
    const hooks = [webhookItem({ workspaceId: ws }), webhookItem({ workspaceId: ws })];
    const client = new SQSClient({});
    const mocked = mockClient(client);
    let failing = true;
    // Record 1's second job (j1) fails on SQS's side, every time, during the first invocation.
    mocked.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      const entries = input.Entries ?? [];
      const refused = entries.filter((e) => failing && e.Id === 'r1-j1');
      return {
        Successful: entries
          .filter((e) => !refused.includes(e))
          .map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
        Failed: refused.map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' })),
      };
    });
    const h = await harness({ webhooks: hooks, sqsClient: client });
    const records = [0, 1, 2].map((i) => insertRecord({ id: `p-${i}`, workspaceId: ws }));
    const output = captureOutput();

    expect(await h.invoke(...records)).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
    const firstTry = mocked.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    const refusedWebhook = JSON.parse(firstTry.find((e) => e.Id === 'r1-j1')?.MessageBody ?? '{}').webhookId;
    expect(output.lines().filter((line) => line.entryId !== undefined)).toMatchObject([{ entryId: 'r1-j1' }]);

    failing = false;
    mocked.resetHistory();
    expect(await h.invoke(...records.slice(1))).toEqual(noFailures);
    const retried = mocked
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(retried.map((e) => JSON.parse(e.MessageBody ?? '{}'))).toMatchObject([
      { recordId: 'p-1', webhookId: refusedWebhook },
    ]);
  });

  it('reports every record of a batch when the webhooks table cannot be read, without throwing', async () => {
    const ws = workspace();
    const h = await harness({ config: { webhooksTable: 'no-such-table' } });
    const brokenStore = new WebhookStore(dynamo, 'no-such-table');
    const handler = buildEventMapperHandler(h.config, {
      webhookStore: brokenStore,
      jobSender: new DeliveryJobSender(sqs, {
        queueUrl: h.queueUrl,
        maxMessageBytes: 1_048_576,
        concurrency: 2,
      }),
      logger: mapperLogger,
      metrics: mapperMetrics,
      now: () => new Date(),
    });
    const records = [
      insertRecord({ id: 'p-1', workspaceId: ws }),
      modifyRecord({ id: 'p-1' }, { id: 'p-1' }),
    ];

    const response = await handler(streamEvent(...records), mapperContext());

    // The unchanged MODIFY needs no webhooks, so it is done; the other must be retried.
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }],
    });
    expect(await h.jobs()).toEqual([]);
  });

  it('reports a record whose job is too large for SQS (not silently dropped) and sends the rest', async () => {
    const ws = workspace();
    const hook = webhookItem({ workspaceId: ws });
    const h = await harness({ webhooks: [hook] });
    // 530 000 quotes, escaped once in the record's JSON (the job carries it raw): the job passes 1 MiB.
    const huge = insertRecord({ id: 'p-huge', workspaceId: ws, text: '"'.repeat(530_000) });
    const small = insertRecord({ id: 'p-small', workspaceId: ws });
    const output = captureOutput();

    const response = await h.invoke(huge, small);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: huge.dynamodb?.SequenceNumber }] });
    expect((await h.jobs()).map((j) => j.job.recordId)).toEqual(['p-small']);
    const logged = output.lines().find((line) => line.message?.includes('larger than SQS accepts'));
    expect(logged).toMatchObject({ table: 'person', keys: { id: { S: 'p-huge' } }, entryId: 'r0-j0' });
    expect(logged?.sizeBytes).toBeGreaterThan(1_048_576);
    expect(output.text()).not.toContain('""""');
  });

  it('skips records that can never become events, logging their keys but not their contents', async () => {
    const ws = workspace();
    const h = await harness({ webhooks: [webhookItem({ workspaceId: ws })] });
    const output = captureOutput();
    const secret = 'SECRET-CONTENT-1234';
    const records = [
      insertRecord({ id: 'x-1', workspaceId: ws, note: secret }, { tableName: 'unconfigured' }),
      insertRecord({ id: 'x-2', workspaceId: 42, note: secret }), // unusable workspace: never the default
      insertRecord({ id: 'x-3', workspaceId: ws, note: secret }, { tableName: 'crm' }), // no entityType
      modifyRecord(
        { id: 'x-4', workspaceId: ws, note: secret },
        { id: 'x-4', workspaceId: ws, note: 'b' },
        {
          streamViewType: 'KEYS_ONLY',
        },
      ),
      insertRecord({ id: 'p-ok', workspaceId: ws }),
    ];

    expect(await h.invoke(...records)).toEqual(noFailures);

    expect((await h.jobs()).map((j) => j.job.recordId)).toEqual(['p-ok']);
    const skipped = output.lines().filter((line) => line.message?.startsWith('Skipping'));
    expect(skipped.map((line) => [line.reason, line.table, line.keys])).toEqual([
      ['unknown-table', 'unconfigured', { id: { S: 'x-1' } }],
      ['no-workspace', 'person', { id: { S: 'x-2' } }],
      ['no-object', 'crm', { id: { S: 'x-3' } }],
      ['no-image', 'person', { id: { S: 'x-4' } }],
    ]);
    expect(output.text()).not.toContain(secret);
  });
});

describe('event mapper: metrics', () => {
  it('publishes the batch counters as EMF in the CrmWebhooks namespace', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new Metrics({ namespace: 'CrmWebhooks', serviceName: 'event-mapper' });
    const ws = workspace();
    const h = await harness({
      webhooks: [webhookItem({ workspaceId: ws }), webhookItem({ workspaceId: ws })],
      metrics,
      config: { sqsMaxMessageBytes: 4096 },
    });
    const output = captureOutput();

    await h.invoke(
      insertRecord({ id: 'p-1', workspaceId: ws }),
      insertRecord({ id: 'p-2', workspaceId: ws }),
      removeRecord({ id: 'p-3', workspaceId: ws }),
      modifyRecord({ id: 'p-1', workspaceId: ws }, { id: 'p-1', workspaceId: ws }),
      insertRecord({ id: 'x', workspaceId: ws }, { tableName: 'unconfigured' }),
      insertRecord({ id: 'p-big', workspaceId: ws, text: 'x'.repeat(5000) }),
      // No workspace attribute and no defaultWorkspaceId in the config: skipped, not sent anywhere.
      insertRecord({ id: 'p-orphan' }),
    );

    const emf = output.lines().filter((line) => line._aws !== undefined) as EmfDocument[];
    const value = (name: string, dimension?: [string, string]) =>
      emf.find(
        (doc) =>
          doc[name] !== undefined &&
          (dimension === undefined || doc[dimension[0]] === dimension[1]) &&
          doc._aws.CloudWatchMetrics[0]?.Namespace === 'CrmWebhooks',
      )?.[name];
    expect(value('RecordsIn')).toBe(7);
    expect(value('JobsEnqueued')).toBe(6);
    expect(value('JobsAlreadyEnqueued')).toBe(0);
    expect(value('JobsTooLarge')).toBe(2);
    expect(value('SqsSendFailures')).toBe(0);
    expect(value('RecordsFailed')).toBe(1);
    expect(value('EventsOut', ['action', 'created'])).toBe(3);
    expect(value('EventsOut', ['action', 'destroyed'])).toBe(1);
    expect(value('RecordsSkipped', ['reason', 'no-change'])).toBe(1);
    expect(value('RecordsSkipped', ['reason', 'unknown-table'])).toBe(1);
    expect(value('RecordsSkipped', ['reason', 'no-default-workspace'])).toBe(1);
    expect(typeof value('BatchDurationMs')).toBe('number');
  });
});

type LogLine = Record<string, unknown> & { message?: string };

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string }[] };
  [key: string]: unknown;
}

/** Everything the function writes to stdout/stderr (Powertools writes JSON lines there). */
function captureOutput() {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const text = () => chunks.join('');
  return {
    text,
    lines: (): LogLine[] =>
      text()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
  };
}
