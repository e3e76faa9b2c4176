import { DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SqsLocal, startSqsLocal } from '../../../../infra/local/emulators/sqsLocal';
import { type StreamPoller, startStreamPoller } from '../../../../infra/local/streamPoller';
import { streamRecordToLambda } from '../../../../infra/local/streamRecordToLambda';
import { createCrmTable, deleteTables } from '../../../../infra/local/tables';
import { dynamoDbEndpoint, uniqueTableName } from '../../../helpers/emulators';

/**
 * DynamoDB Streams keeps records 24 hours
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html); DynamoDB Local keeps
 * them as long as it runs. The local stream poller applies the rule: a record older than 24 h when read
 * (after a long pause of the pollers) is skipped and reported, as it would be gone on AWS, and reading
 * goes on after it. The poller's clock is moved instead of waiting a day.
 */
const HOUR = 3_600_000;

describe('stream records expire after 24 hours in the local stream poller', () => {
  let dynamo: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let sqsLocal: SqsLocal;
  let sqs: SQSClient;
  let poller: StreamPoller | undefined;
  const tables: string[] = [];

  beforeAll(async () => {
    dynamo = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
    streams = new DynamoDBStreamsClient({ endpoint: dynamoDbEndpoint() });
    sqsLocal = await startSqsLocal();
    sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });
  afterAll(async () => {
    await deleteTables(dynamo, tables);
    dynamo?.destroy();
    streams?.destroy();
    sqs?.destroy();
    await sqsLocal?.stop();
  });

  async function tableWithRecords(...ids: string[]) {
    const name = uniqueTableName('retention');
    tables.push(name);
    await createCrmTable(dynamo, name);
    for (const id of ids) await dynamo.send(new PutItemCommand({ TableName: name, Item: { id: { S: id } } }));
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return Table!.LatestStreamArn!;
  }

  function poll(streamArn: string, clock: () => number) {
    const delivered: DynamoDBRecord[] = [];
    const expired: number[] = [];
    poller = startStreamPoller({
      streams,
      streamArns: [streamArn],
      handler: async (event) => {
        delivered.push(...event.Records);
      },
      toLambdaRecord: streamRecordToLambda,
      functionName: 'event-mapper',
      timeoutMs: 5_000,
      failureDestination: { sqs, queueUrl: sqsLocal.server.createQueue('retention-failures').queueUrl },
      startingPosition: 'TRIM_HORIZON',
      idlePollMs: 50,
      onPollError: () => undefined,
      onExpiredRecords: ({ records }) => expired.push(records),
      now: clock,
    });
    return { delivered, expired };
  }

  const settle = async (done: () => boolean) => {
    const deadline = Date.now() + 15_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('the poller did not get there in time');
      await new Promise((r) => setTimeout(r, 25));
    }
    // A few more polls, to see nothing else arrives.
    await new Promise((r) => setTimeout(r, 300));
  };

  it('delivers records read within 24 hours of their creation', async () => {
    const streamArn = await tableWithRecords('fresh-1', 'fresh-2');
    // 23 h later by the poller's clock (DynamoDB Local stamps records to the minute).
    const { delivered, expired } = poll(streamArn, () => Date.now() + 23 * HOUR);
    await settle(() => delivered.length === 2);
    expect(delivered.map((r) => r.dynamodb?.Keys?.id?.S)).toEqual(['fresh-1', 'fresh-2']);
    expect(expired).toEqual([]);
  });

  it('skips and reports records read more than 24 hours after their creation, and reads on', async () => {
    const streamArn = await tableWithRecords('old-1', 'old-2', 'old-3');
    let clock = Date.now() + 24 * HOUR + 2 * 60_000;
    const { delivered, expired } = poll(streamArn, () => clock);
    await settle(() => expired.reduce((a, b) => a + b, 0) === 3);
    expect(delivered).toEqual([]);
    // The poller went past them: a record written now (and read with a clock back to the present) arrives.
    clock = Date.now();
    await dynamo.send(
      new PutItemCommand({ TableName: tables[tables.length - 1]!, Item: { id: { S: 'new-1' } } }),
    );
    await settle(() => delivered.length === 1);
    expect(delivered.map((r) => r.dynamodb?.Keys?.id?.S)).toEqual(['new-1']);
  });
});
