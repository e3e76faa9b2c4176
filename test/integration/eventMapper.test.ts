import {
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as SdkStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall, NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEventMapperHandler } from '../../functions/event-mapper/buildEventMapperHandler';
import { loadEventMapperConfig } from '../../functions/event-mapper/config';
import { createEventMapperDependencies } from '../../functions/event-mapper/createEventMapperDependencies';
import { type SqsLocal, startSqsLocal } from '../../infra/local/emulators/sqsLocal';
import { streamRecordsToLambdaEvent } from '../../infra/local/streamRecordToLambda';
import { createCrmTable, createProductTables, deleteTables } from '../../infra/local/tables';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { type DeliveryJob, decodeDeliveryJob } from '../../shared/domain/delivery/deliveryJob';
import { deliveryIdFor, eventIdFor } from '../../shared/domain/delivery/stableIds';
import { mapperContext, webhookItem } from '../helpers/dynamoStreamEvents';
import { dynamoDbEndpoint, uniqueTableName } from '../helpers/emulators';

/*
 * The event mapper on real emulators, wired exactly as on AWS: `handler.ts` imported after the
 * environment is set, SDK endpoints from AWS_ENDPOINT_URL_*. CRM items are written to DynamoDB Local,
 * the stream is read like Lambda's event source mapping reads it, and the queue is checked in fauxqs.
 */

const tables = {
  person: uniqueTableName('it-person'),
  crm: uniqueTableName('it-crm'),
  webhooks: uniqueTableName('it-webhooks'),
  apiKeys: uniqueTableName('it-keys'),
  deliveryLog: uniqueTableName('it-log'),
};
const WS = 'acme';

let dynamo: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let sqsLocal: SqsLocal;
let sqs: SQSClient;
let queueUrl: string;
let handler: (
  event: DynamoDBStreamEvent,
  context: ReturnType<typeof mapperContext>,
) => Promise<DynamoDBBatchResponse>;

const everything = webhookItem({ workspaceId: WS, id: 'wh_all', operations: ['*.*'] });
const personDeletes = webhookItem({
  workspaceId: WS,
  id: 'wh_person_deleted',
  operations: ['person.deleted'],
});
const companies = webhookItem({ workspaceId: WS, id: 'wh_company', operations: ['company.*'] });
const disabled = webhookItem({ workspaceId: WS, id: 'wh_disabled', status: 'disabled' });
const otherTenant = webhookItem({ workspaceId: 'other', id: 'wh_other' });

beforeAll(async () => {
  const endpoint = dynamoDbEndpoint();
  dynamo = new DynamoDBClient({ endpoint });
  streams = new DynamoDBStreamsClient({ endpoint });
  await Promise.all([
    createCrmTable(dynamo, tables.person),
    createCrmTable(dynamo, tables.crm),
    createProductTables(dynamo, tables),
  ]);
  sqsLocal = await startSqsLocal();
  sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  queueUrl = sqsLocal.createDeliveryQueues({
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 600,
  }).deliveriesQueueUrl;
  const store = new WebhookStore(dynamo, tables.webhooks);
  for (const webhook of [everything, personDeletes, companies, disabled, otherTenant])
    await store.create(webhook);

  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqsLocal.endpoint);
  vi.stubEnv('WEBHOOKS_TABLE', tables.webhooks);
  vi.stubEnv('DELIVERIES_QUEUE_URL', queueUrl);
  vi.stubEnv(
    'CRM_SOURCES_CONFIG',
    JSON.stringify({
      crmTables: [
        { tableName: tables.person, object: 'person' },
        { tableName: tables.crm, objectAttribute: 'entityType' },
      ],
    }),
  );
  ({ handler } = await import('../../functions/event-mapper/handler'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await deleteTables(dynamo, Object.values(tables));
  await sqsLocal.stop();
  for (const client of [dynamo, streams, sqs]) client.destroy();
});

/** Reads a table's whole stream from TRIM_HORIZON, shard by shard, as Lambda's event source mapping does. */
async function readStream(tableName: string): Promise<{ streamArn: string; records: SdkStreamRecord[] }> {
  const table = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn as string;
  const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: SdkStreamRecord[] = [];
  for (const shard of description.StreamDescription?.Shards ?? []) {
    const start = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = start.ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(page.Records ?? []));
      // An open shard always returns a next iterator; an empty page means we have caught up.
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return { streamArn, records };
}

async function drainQueue(): Promise<DeliveryJob[]> {
  const jobs: DeliveryJob[] = [];
  for (;;) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!page.Messages?.length) return jobs;
    for (const message of page.Messages) {
      const decoded = decodeDeliveryJob(message.Body ?? '');
      if (!decoded.ok) throw new Error(decoded.error);
      expect(message.MessageAttributes?.webhookId?.StringValue).toBe(decoded.job.webhookId);
      jobs.push(decoded.job);
    }
  }
}

const put = (tableName: string, item: Record<string, unknown>) =>
  dynamo.send(new PutItemCommand({ TableName: tableName, Item: marshall(item) }));

const update = (tableName: string, id: string, expression: string, values?: Record<string, unknown>) =>
  dynamo.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: marshall({ id }),
      UpdateExpression: expression,
      ...(values ? { ExpressionAttributeValues: marshall(values) } : {}),
    }),
  );

const remove = (tableName: string, id: string) =>
  dynamo.send(new DeleteItemCommand({ TableName: tableName, Key: marshall({ id }) }));

describe('event mapper on DynamoDB Local streams and fauxqs', () => {
  it('turns writes, updates, soft deletes, restores and deletes into exactly the expected jobs', async () => {
    const started = Date.now();
    const bigScore = '12345678901234567890.123456789';
    await put(tables.person, {
      id: 'p-1',
      workspaceId: WS,
      firstName: 'Alice',
      score: NumberValue.from(bigScore),
      tags: new Set(['vip', 'beta']),
      avatar: new Uint8Array([1, 2, 3]),
    });
    await update(tables.person, 'p-1', 'SET firstName = :f', { ':f': 'Alicia' });
    await update(tables.person, 'p-1', 'SET deletedAt = :d', { ':d': '2026-11-27T13:00:00.000Z' });
    await update(tables.person, 'p-1', 'REMOVE deletedAt');
    await update(tables.person, 'p-1', 'SET deletedAt = :d', { ':d': '2026-11-27T13:05:00.000Z' });
    await remove(tables.person, 'p-1');
    await put(tables.person, { id: 'p-2', workspaceId: WS, firstName: 'Bob' });
    await remove(tables.person, 'p-2');
    await put(tables.person, { id: 'p-3', workspaceId: 'other', firstName: 'Eve' });
    await put(tables.crm, { id: 'c-1', workspaceId: WS, entityType: 'company', name: 'Acme Corp' });
    await put(tables.crm, { id: 'x-1', workspaceId: WS, name: 'no entity type' }); // skipped: no object

    const personStream = await readStream(tables.person);
    const crmStream = await readStream(tables.crm);
    expect(personStream.records.map((r) => r.eventName)).toEqual([
      'INSERT',
      'MODIFY',
      'MODIFY',
      'MODIFY',
      'MODIFY',
      'REMOVE',
      'INSERT',
      'REMOVE',
      'INSERT',
    ]);

    const personEvent = streamRecordsToLambdaEvent(personStream.records, personStream.streamArn);
    const crmEvent = streamRecordsToLambdaEvent(crmStream.records, crmStream.streamArn);
    expect(await handler(personEvent, mapperContext())).toEqual({ batchItemFailures: [] });
    expect(await handler(crmEvent, mapperContext())).toEqual({ batchItemFailures: [] });

    const jobs = await drainQueue();
    const idOf = (event: DynamoDBStreamEvent, index: number, table: string) =>
      eventIdFor(table, (event.Records[index] as DynamoDBRecord).eventID as string);
    const p = (i: number) => idOf(personEvent, i, tables.person);
    const c = (i: number) => idOf(crmEvent, i, tables.crm);
    const expected = [
      ['wh_all', 'person.created', 'p-1', p(0)],
      ['wh_all', 'person.updated', 'p-1', p(1)],
      ['wh_all', 'person.deleted', 'p-1', p(2)],
      ['wh_person_deleted', 'person.deleted', 'p-1', p(2)],
      ['wh_all', 'person.restored', 'p-1', p(3)],
      ['wh_all', 'person.deleted', 'p-1', p(4)],
      ['wh_person_deleted', 'person.deleted', 'p-1', p(4)],
      ['wh_all', 'person.destroyed', 'p-1', p(5)],
      ['wh_all', 'person.created', 'p-2', p(6)],
      // A REMOVE of a live record is `destroyed` when the source has a soft-delete attribute, as in Twenty.
      ['wh_all', 'person.destroyed', 'p-2', p(7)],
      ['wh_other', 'person.created', 'p-3', p(8)],
      ['wh_all', 'company.created', 'c-1', c(0)],
      ['wh_company', 'company.created', 'c-1', c(0)],
    ].map(([webhookId, event, recordId, eventId]) => ({
      webhookId,
      event,
      recordId,
      eventId,
      deliveryId: deliveryIdFor(webhookId as string, eventId as string),
    }));
    const summary = jobs.map(({ webhookId, event, recordId, eventId, deliveryId }) => ({
      webhookId,
      event,
      recordId,
      eventId,
      deliveryId,
    }));
    const byDelivery = (a: { deliveryId: string }, b: { deliveryId: string }) =>
      a.deliveryId.localeCompare(b.deliveryId);
    expect(summary.sort(byDelivery)).toEqual(expected.sort(byDelivery));

    const job = (eventId: string, webhookId = 'wh_all') =>
      jobs.find((j) => j.eventId === eventId && j.webhookId === webhookId) as DeliveryJob;
    // Exact record bodies: numbers keep every digit, sets become arrays, binary becomes base64.
    const created = JSON.parse(job(p(0)).dataJson.replace(bigScore, `"${bigScore}"`));
    expect(created).toEqual({
      id: 'p-1',
      workspaceId: WS,
      firstName: 'Alice',
      score: bigScore,
      tags: expect.arrayContaining(['vip', 'beta']),
      avatar: 'AQID',
    });
    expect(job(p(0)).dataJson).toContain(`"score":${bigScore}`);
    expect(job(p(1))).toMatchObject({ updatedFields: ['firstName'], action: 'updated' });
    expect(JSON.parse(job(p(1)).dataJson).firstName).toBe('Alicia');
    // The soft delete carries the record before the change; the restore the record after it.
    expect(JSON.parse(job(p(2)).dataJson).deletedAt).toBeUndefined();
    expect(job(p(2)).updatedFields).toEqual(['deletedAt']);
    expect(JSON.parse(job(p(3)).dataJson).deletedAt).toBeUndefined();
    expect(JSON.parse(job(p(5)).dataJson).deletedAt).toBe('2026-11-27T13:05:00.000Z');
    expect(job(c(0), 'wh_company')).toMatchObject({ object: 'company', workspaceId: WS });
    expect(JSON.parse(job(c(0), 'wh_company').dataJson)).toEqual({
      id: 'c-1',
      workspaceId: WS,
      entityType: 'company',
      name: 'Acme Corp',
    });
    // DynamoDB Local stamps stream records to the minute.
    for (const j of jobs) {
      const at = Date.parse(j.timestamp);
      expect(at).toBeGreaterThanOrEqual(Math.floor(started / 60_000) * 60_000);
      expect(at).toBeLessThanOrEqual(Date.now());
    }

    // The same container does not enqueue again what SQS already accepted.
    expect(await handler(personEvent, mapperContext())).toEqual({ batchItemFailures: [] });
    expect(await drainQueue()).toEqual([]);
    // Another container (a retry elsewhere, a replay) re-sends the same jobs with the same delivery ids.
    const config = loadEventMapperConfig(process.env);
    const otherContainer = buildEventMapperHandler(config, createEventMapperDependencies(config));
    await otherContainer(personEvent, mapperContext());
    const again = await drainQueue();
    expect(again.map((j) => j.deliveryId).sort()).toEqual(
      summary
        .filter((j) => j.event.startsWith('person.'))
        .map((j) => j.deliveryId)
        .sort(),
    );
  });
});
