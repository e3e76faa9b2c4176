import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { startStreamPoller } from '../../../../infra/local/streamPoller';
import { streamRecordToLambda } from '../../../../infra/local/streamRecordToLambda';

/*
 * DynamoDB Local never splits or rotates shards, so this fault is played by a mocked Streams client:
 * a closed parent shard and its open child, as DescribeStream lists them after a split.
 */
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/person/stream/2026-11-27T13:00:00.000';

function record(id: string, sequenceNumber: string): _Record {
  return {
    eventID: `e-${id}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date(),
      Keys: { id: { S: id } },
      NewImage: { id: { S: id } },
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('local stream poller across shard splits', () => {
  const streams = mockClient(DynamoDBStreamsClient);
  afterEach(() => streams.reset());

  it('reads a closed parent shard to its end before its child, and reads the child from its start', async () => {
    const iteratorRequests: { shardId: string; type: string }[] = [];
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: {
        StreamArn: STREAM_ARN,
        Shards: [
          {
            ShardId: 'shard-child',
            ParentShardId: 'shard-parent',
            SequenceNumberRange: { StartingSequenceNumber: '300' },
          },
          {
            ShardId: 'shard-parent',
            SequenceNumberRange: { StartingSequenceNumber: '100', EndingSequenceNumber: '299' },
          },
        ],
      },
    });
    streams.on(GetShardIteratorCommand).callsFake((input) => {
      iteratorRequests.push({ shardId: input.ShardId, type: input.ShardIteratorType });
      return { ShardIterator: `${input.ShardId}#1` };
    });
    streams.on(GetRecordsCommand).callsFake(async (input) => {
      switch (input.ShardIterator) {
        case 'shard-parent#1':
          // A slow parent: the child must still wait for it.
          await new Promise((r) => setTimeout(r, 200));
          return { Records: [record('p1', '101')], NextShardIterator: 'shard-parent#2' };
        case 'shard-parent#2':
          return { Records: [record('p2', '102')] };
        case 'shard-child#1':
          return { Records: [record('c1', '301')], NextShardIterator: 'shard-child#2' };
        default:
          return { Records: [], NextShardIterator: input.ShardIterator };
      }
    });

    const seen: string[] = [];
    const sqs = new SQSClient({ endpoint: 'http://127.0.0.1:9' });
    const poller = startStreamPoller({
      streams: new DynamoDBStreamsClient({ endpoint: 'http://127.0.0.1:9' }),
      streamArns: [STREAM_ARN],
      handler: async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb!.Keys!.id!.S!));
      },
      toLambdaRecord: streamRecordToLambda,
      functionName: 'event-mapper',
      timeoutMs: 5_000,
      failureDestination: { sqs, queueUrl: 'unused' },
      startingPosition: 'TRIM_HORIZON',
      idlePollMs: 10,
    });
    const deadline = Date.now() + 5_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await poller.stop();
    sqs.destroy();

    expect(seen).toEqual(['p1', 'p2', 'c1']);
    expect(iteratorRequests[0]).toEqual({ shardId: 'shard-parent', type: 'TRIM_HORIZON' });
    expect(iteratorRequests.find((r) => r.shardId === 'shard-child')).toEqual({
      shardId: 'shard-child',
      type: 'TRIM_HORIZON',
    });
  });
});
