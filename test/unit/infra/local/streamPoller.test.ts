import { DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SqsLocal, startSqsLocal } from '../../../../infra/local/emulators/sqsLocal';
import type { LambdaHandler } from '../../../../infra/local/lambdaContext';
import {
  type StreamBatchResult,
  type StreamPoller,
  startStreamPoller,
} from '../../../../infra/local/streamPoller';
import { streamRecordToLambda } from '../../../../infra/local/streamRecordToLambda';
import { createCrmTable, deleteTables } from '../../../../infra/local/tables';
import { dynamoDbEndpoint, uniqueTableName } from '../../../helpers/emulators';

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

const idOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.id?.S;

describe('local DynamoDB stream poller (Lambda event source semantics)', () => {
  let dynamo: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let sqsLocal: SqsLocal;
  let sqs: SQSClient;
  let failureQueueUrl: string;
  let poller: StreamPoller | undefined;
  const tables: string[] = [];

  beforeAll(async () => {
    dynamo = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
    streams = new DynamoDBStreamsClient({ endpoint: dynamoDbEndpoint() });
    sqsLocal = await startSqsLocal();
    sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
    failureQueueUrl = sqsLocal.server.createQueue('mapper-failures').queueUrl;
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });
  afterAll(async () => {
    await deleteTables(dynamo, tables);
    dynamo.destroy();
    streams.destroy();
    sqs.destroy();
    await sqsLocal.stop();
  });

  async function newTable(): Promise<{ name: string; streamArn: string }> {
    const name = uniqueTableName('poller');
    tables.push(name);
    await createCrmTable(dynamo, name);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return { name, streamArn: Table!.LatestStreamArn! };
  }

  async function put(table: string, ...ids: string[]) {
    for (const id of ids) {
      await dynamo.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, n: { N: '1' } } }));
    }
  }

  function poll(
    streamArn: string,
    handler: LambdaHandler<DynamoDBStreamEvent, unknown>,
    extra: Partial<Parameters<typeof startStreamPoller>[0]> = {},
  ) {
    poller = startStreamPoller({
      streams,
      streamArns: [streamArn],
      handler,
      toLambdaRecord: streamRecordToLambda,
      functionName: 'event-mapper',
      timeoutMs: 5_000,
      failureDestination: { sqs, queueUrl: failureQueueUrl },
      startingPosition: 'TRIM_HORIZON',
      idlePollMs: 50,
      retryBackoffMs: 10,
      onPollError: () => undefined,
      ...extra,
    });
    return poller;
  }

  it("delivers every record in order, in Lambda's record shape, in batches of at most batchSize", async () => {
    const { name, streamArn } = await newTable();
    await put(name, 'p1', 'p2', 'p3', 'p4', 'p5');
    const batches: DynamoDBRecord[][] = [];
    poll(
      streamArn,
      async (event) => {
        batches.push(event.Records);
      },
      { batchSize: 2 },
    );
    await waitFor(() => batches.flat().length === 5);
    expect(batches.flat().map(idOf)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
    const first = batches[0]![0]!;
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { id: { S: 'p1' } },
        NewImage: { id: { S: 'p1' }, n: { N: '1' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof first.dynamodb?.ApproximateCreationDateTime).toBe('number');
  });

  it('with a batching window, gathers records written while it waits into one batch, in order', async () => {
    const { name, streamArn } = await newTable();
    const batches: DynamoDBRecord[][] = [];
    poll(streamArn, async (event) => void batches.push(event.Records), { maxBatchingWindowMs: 1_500 });
    await put(name, 'w1');
    // Written while the poller waits out the window that started with w1.
    await new Promise((r) => setTimeout(r, 400));
    expect(batches).toEqual([]);
    await put(name, 'w2', 'w3', 'w4');
    await waitFor(() => batches.flat().length === 4);
    expect(batches.map((b) => b.map(idOf))).toEqual([['w1', 'w2', 'w3', 'w4']]);
  });

  it('with a batching window, invokes as soon as the batch is full, before the window ends', async () => {
    const { name, streamArn } = await newTable();
    const batches: { ids: (string | undefined)[]; at: number }[] = [];
    poll(streamArn, async (event) => void batches.push({ ids: event.Records.map(idOf), at: Date.now() }), {
      maxBatchingWindowMs: 10_000,
      batchSize: 3,
    });
    const started = Date.now();
    await put(name, 'f1');
    await new Promise((r) => setTimeout(r, 300));
    await put(name, 'f2', 'f3');
    await waitFor(() => batches.length === 1);
    expect(batches[0]!.ids).toEqual(['f1', 'f2', 'f3']);
    // Full long before the 10 s window would have ended.
    expect(batches[0]!.at - started).toBeLessThan(5_000);
  });

  it('without a batching window, invokes with each read (no waiting)', async () => {
    const { name, streamArn } = await newTable();
    const batches: DynamoDBRecord[][] = [];
    poll(streamArn, async (event) => void batches.push(event.Records));
    await put(name, 'n1');
    await waitFor(() => batches.length === 1);
    await new Promise((r) => setTimeout(r, 400));
    await put(name, 'n2');
    await waitFor(() => batches.flat().length === 2);
    expect(batches.map((b) => b.map(idOf))).toEqual([['n1'], ['n2']]);
  });

  it('retries from the lowest failed sequence number on batchItemFailures, without repeating earlier records', async () => {
    const { name, streamArn } = await newTable();
    await put(name, 'a', 'b', 'c', 'd');
    const invocations: string[][] = [];
    const results: StreamBatchResult[] = [];
    poll(
      streamArn,
      async (event): Promise<DynamoDBBatchResponse> => {
        invocations.push(event.Records.map((r) => idOf(r)!));
        const c = event.Records.find((r) => idOf(r) === 'c');
        return {
          batchItemFailures:
            c && invocations.length === 1 ? [{ itemIdentifier: c.dynamodb!.SequenceNumber! }] : [],
        };
      },
      { onBatch: (r) => results.push(r) },
    );
    await waitFor(() => results.length === 1);
    expect(invocations).toEqual([
      ['a', 'b', 'c', 'd'],
      ['c', 'd'],
    ]);
    expect(results[0]).toMatchObject({ records: 4, sentToFailureDestination: 0, invocations: 2 });
  });

  it('retries the whole batch when the handler throws', async () => {
    const { name, streamArn } = await newTable();
    await put(name, 'x', 'y');
    const invocations: string[][] = [];
    poll(streamArn, async (event) => {
      invocations.push(event.Records.map((r) => idOf(r)!));
      if (invocations.length === 1) throw new Error('mapper crashed');
    });
    await waitFor(() => invocations.length === 2);
    expect(invocations).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
  });

  it('after the retries, sends the batch metadata to the failure destination and moves on', async () => {
    const { name, streamArn } = await newTable();
    await put(name, 'ok', 'poison');
    const invocations: string[][] = [];
    const results: StreamBatchResult[] = [];
    poll(
      streamArn,
      async (event) => {
        invocations.push(event.Records.map((r) => idOf(r)!));
        const poison = event.Records.filter((r) => idOf(r) === 'poison');
        return { batchItemFailures: poison.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
      },
      { maxRetryAttempts: 2, onBatch: (r) => results.push(r) },
    );
    await waitFor(() => results.length === 1);
    expect(invocations).toEqual([['ok', 'poison'], ['poison'], ['poison']]);
    expect(results[0]).toMatchObject({ records: 2, sentToFailureDestination: 1, invocations: 3 });

    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: failureQueueUrl, WaitTimeSeconds: 1 }),
    );
    const failure = JSON.parse(received.Messages![0]!.Body!);
    expect(failure).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { functionError: 'BatchItemFailure' },
      DDBStreamBatchInfo: { batchSize: 1, streamArn },
    });
    expect(failure.DDBStreamBatchInfo.startSequenceNumber).toBe(failure.DDBStreamBatchInfo.endSequenceNumber);
    expect(JSON.stringify(failure)).not.toContain('poison');

    await put(name, 'after');
    await waitFor(() => invocations.some((ids) => ids.includes('after')));
  });

  it('starting at LATEST skips what was written before the poller started', async () => {
    const { name, streamArn } = await newTable();
    await put(name, 'old');
    const seen: string[] = [];
    poll(
      streamArn,
      async (event) => {
        seen.push(...event.Records.map((r) => idOf(r)!));
      },
      { startingPosition: 'LATEST' },
    );
    // Give the poller time to take its LATEST iterator before writing.
    await new Promise((r) => setTimeout(r, 500));
    await put(name, 'new');
    await waitFor(() => seen.includes('new'));
    expect(seen).toEqual(['new']);
  });
  it("polls an idle shard at Lambda's four reads a second, without backing off, so a record after a pause is read at once", async () => {
    const { name, streamArn } = await newTable();
    const countingStreams = new DynamoDBStreamsClient({ endpoint: dynamoDbEndpoint() });
    const reads: number[] = [];
    countingStreams.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand') reads.push(Date.now());
        return next(args);
      },
      { step: 'initialize', name: 'countGetRecords' },
    );
    const seen: string[] = [];
    // The default pause: 250 ms, Lambda's base rate of 4 polls a second per shard.
    poll(streamArn, async (event) => void seen.push(...event.Records.map((r) => idOf(r) ?? '')), {
      streams: countingStreams,
      idlePollMs: undefined,
    });
    try {
      await new Promise((r) => setTimeout(r, 4_000));
      // The last 2 s of a 4 s pause: ~8 reads at 4/s; a back-off to 1 s (the old behaviour) made it 2.
      const lateReads = reads.filter((t) => t >= Date.now() - 2_000).length;
      expect(lateReads).toBeGreaterThanOrEqual(5);
      expect(lateReads).toBeLessThanOrEqual(9);
      await put(name, 'late');
      const writtenAt = Date.now();
      await waitFor(() => seen.includes('late'));
      // One pause (250 ms) plus a read and an invocation, with room for a loaded machine.
      expect(Date.now() - writtenAt).toBeLessThan(750);
    } finally {
      await poller?.stop();
      poller = undefined;
      countingStreams.destroy();
    }
  });
});
