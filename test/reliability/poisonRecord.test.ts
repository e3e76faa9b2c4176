import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { printFigures } from './deliveryLedger';
import { type ReliabilityRuntime, startReliabilityRuntime } from './reliabilityRuntime';

/** A table per object (`person`) and a single-table design (`crm`, object named by `entityType`). */
const CRM_SOURCES = parseCrmSourcesConfig({
  crmTables: [
    { tableName: 'person', object: 'person' },
    { tableName: 'crm', objectAttribute: 'entityType' },
  ],
  defaultWorkspaceId: 'default',
});

/** Items no event can be made of, each interleaved with good ones on the same table (one shard). */
const POISON: [string, string, Record<string, AttributeValue>][] = [
  ['single-table item without its object attribute', 'crm', { name: { S: 'orphan' } }],
  ['object attribute of the wrong type', 'crm', { entityType: { N: '42' } }],
  ['object attribute that is not an object name', 'crm', { entityType: { S: 'Not An Object!' } }],
  ['object attribute as a map', 'crm', { entityType: { M: { S: { S: 'person' } } } }],
  ['workspace attribute of the wrong type', 'person', { workspaceId: { N: '7' } }],
  ['workspace attribute as a list', 'person', { workspaceId: { L: [{ S: 'default' }] } }],
  ['empty workspace attribute', 'person', { workspaceId: { S: '' } }],
  [
    'workspace attribute on a single-table item, wrong type',
    'crm',
    { entityType: { S: 'company' }, workspaceId: { BOOL: true } },
  ],
];

describe('poison stream records do not block the records after them on the same shard', () => {
  let rt: ReliabilityRuntime;
  let receiver: SignatureVerifyingReceiver;
  const mapperResponses: DynamoDBBatchResponse[] = [];

  beforeAll(async () => {
    rt = await startReliabilityRuntime({
      crmSources: CRM_SOURCES,
      // Observes the mapper's answers (a partial failure would hold the shard); the handler is the real one.
      wrapHandlers: (handlers) => ({
        ...handlers,
        eventMapper: async (event, context) => {
          const response = (await handlers.eventMapper(event, context)) as DynamoDBBatchResponse;
          mapperResponses.push(response);
          return response;
        },
      }),
    });
    receiver = await startSignatureVerifyingReceiver();
  }, 90_000);

  afterAll(async () => {
    await receiver?.stop();
    await rt?.stop();
  }, 60_000);

  it('skips each poison record and delivers every good one, without retries or failure-destination entries', async () => {
    const created = await rt.api<{ secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
    });
    expect(created.status).toBe(201);
    receiver.setSecrets([created.body.secret]);
    await new Promise((r) => setTimeout(r, 1_500));

    const expected: string[] = [];
    const put = (table: string, item: Record<string, AttributeValue>) =>
      rt.dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const good = async (table: string, id: string) => {
      expected.push(`${table === 'crm' ? 'company' : 'person'}.created ${id}`);
      await put(table, { id: { S: id }, ...(table === 'crm' ? { entityType: { S: 'company' } } : {}) });
    };
    const started = Date.now();
    // Sequential writes: stream order on each table is write order.
    for (const [index, [, table, item]] of POISON.entries()) {
      await good(table, `good-before-${index}`);
      await put(table, { id: { S: `poison-${index}` }, ...item });
      await good(table, `good-after-${index}`);
    }

    await receiver.waitForRequests(expected.length, 20_000);
    const durationMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 500));
    const received = receiver.requests.map((r) => {
      const body = JSON.parse(r.body) as { event: string; data: { id: string } };
      return `${body.event} ${body.data.id}`;
    });
    expect(received.sort()).toEqual(expected.sort());
    expect(receiver.requests.every((r) => r.verified)).toBe(true);

    // No batch was held back: no partial failure, no retry, nothing handed to the failure destination.
    expect(mapperResponses.flatMap((r) => r.batchItemFailures ?? [])).toEqual([]);
    expect(rt.runtime.counters.snapshot().mapperFailures).toBe(0);
    const { Attributes = {} } = await rt.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: rt.runtime.queues.mapperFailureQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes.ApproximateNumberOfMessages).toBe('0');
    expect(rt.pollErrors).toEqual([]);
    printFigures('poison records', {
      poison: POISON.length,
      goodRecords: expected.length,
      delivered: received.length,
      mapperInvocations: mapperResponses.length,
      durationMs,
    });
  }, 60_000);
});
