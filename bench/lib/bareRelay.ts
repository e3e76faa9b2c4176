/** The latency baseline: the pipeline's hops with none of the product code. */

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Agent, request } from 'undici';
import { createCrmTable } from '../../infra/local/tables';

/** The local runtime's stream poller pause on an idle shard, and its SQS long poll. */
const IDLE_POLL_MS = 250;
const WAIT_TIME_SECONDS = 1;

export interface BareRelay {
  table: string;
  stop(): Promise<void>;
}

/**
 * The latency baseline: the same hops as the pipeline (DynamoDB Local stream → fauxqs → HTTP POST),
 * polled the way the local runtime polls them, with none of the product code: no mapping, matching,
 * signing, attempt log or outcome handling. Records of its own table are POSTed unsigned to `targetUrl`.
 */
export async function startBareRelay(options: {
  dynamoDb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  targetUrl: string;
  consumers: number;
}): Promise<BareRelay> {
  const table = `bench-relay-${Date.now()}`;
  await createCrmTable(options.dynamoDb, table, 'id');
  const { Table } = await options.dynamoDb.send(new DescribeTableCommand({ TableName: table }));
  const streamArn = Table?.LatestStreamArn as string;
  const { QueueUrl } = await options.sqs.send(
    new CreateQueueCommand({ QueueName: table, Attributes: { VisibilityTimeout: '60' } }),
  );
  const queueUrl = QueueUrl as string;
  const agent = new Agent({ keepAliveTimeout: 4_000 });
  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const iterators = new Map<string, string | undefined>();
  const discoverShards = async () => {
    const { StreamDescription } = await options.streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId as string;
      if (iterators.has(shardId)) continue;
      const { ShardIterator } = await options.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      iterators.set(shardId, ShardIterator);
    }
  };
  await discoverShards();

  const readStream = async () => {
    let lastDiscovery = performance.now();
    while (!stopped) {
      if (performance.now() - lastDiscovery > 1_000) {
        await discoverShards();
        lastDiscovery = performance.now();
      }
      let any = false;
      for (const [shardId, iterator] of iterators) {
        if (iterator === undefined) continue;
        const { Records = [], NextShardIterator } = await options.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
        );
        iterators.set(shardId, NextShardIterator);
        if (Records.length === 0) continue;
        any = true;
        const bodies = Records.map((r) =>
          JSON.stringify({
            event: 'relay',
            data: unmarshall(r.dynamodb?.NewImage ?? {}, { wrapNumbers: true }),
          }),
        );
        // Sent concurrently, as the event mapper sends its batches.
        const batches: string[][] = [];
        for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
        await Promise.all(
          batches.map((batch) =>
            options.sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: batch.map((body, j) => ({ Id: `m${j}`, MessageBody: body })),
              }),
            ),
          ),
        );
      }
      if (!any) await sleep(IDLE_POLL_MS);
    }
  };

  const consume = async () => {
    while (!stopped) {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: WAIT_TIME_SECONDS,
        }),
      );
      if (Messages.length === 0) continue;
      await Promise.all(
        Messages.map(async (m) => {
          const response = await request(options.targetUrl, {
            method: 'POST',
            dispatcher: agent,
            body: m.Body as string,
            headers: { 'content-type': 'application/json' },
          });
          await response.body.dump();
        }),
      );
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
  };

  const loops = [readStream(), ...Array.from({ length: options.consumers }, consume)].map((loop) =>
    loop.catch((error: unknown) => {
      if (!stopped) console.error('bare relay stopped:', error);
    }),
  );
  return {
    table,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      await agent.close();
    },
  };
}
