import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCounters, PipelineCounters } from '../../../../infra/local/counters';
import { type SqsLocal, startSqsLocal } from '../../../../infra/local/emulators/sqsLocal';

describe('local runtime counters', () => {
  let sqsLocal: SqsLocal;
  let sqs: SQSClient;

  beforeAll(async () => {
    sqsLocal = await startSqsLocal();
    sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  });
  afterAll(async () => {
    sqs.destroy();
    await sqsLocal.stop();
  });

  it('counts events and deliveries from poller results, retrying and dead-lettered from the queues', async () => {
    const queues = sqsLocal.createDeliveryQueues({
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 60,
      prefix: 'counters-',
    });
    const counters = new PipelineCounters();
    counters.recordStreamBatch({
      streamArn: 'a',
      shardId: 's',
      records: 5,
      sentToFailureDestination: 0,
      invocations: 1,
    });
    counters.recordStreamBatch({
      streamArn: 'a',
      shardId: 's',
      records: 3,
      sentToFailureDestination: 1,
      invocations: 4,
    });
    counters.recordSqsBatch({ received: 4, deleted: 3, failed: 1 });

    const send = (queueUrl: string, count: number) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: count }, (_, i) => ({ Id: String(i), MessageBody: `job ${i}` })),
        }),
      );
    await send(queues.deliveriesQueueUrl, 3);
    await send(queues.deadLetterQueueUrl, 2);
    // Three jobs received and not deleted: one is "being attempted", two wait for their retry.
    await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.deliveriesQueueUrl, MaxNumberOfMessages: 3 }),
    );
    await counters.refreshQueueGauges(sqs, queues, 1);

    expect(counters.snapshot()).toEqual({
      events: 7,
      delivered: 3,
      retrying: 2,
      deadLettered: 2,
      mapperFailures: 1,
    });
    expect(formatCounters(counters.snapshot())).toBe(
      'events 7 · delivered 3 · retrying 2 · dead-lettered 2 · mapper failures 1',
    );
    expect(formatCounters({ events: 0, delivered: 0, retrying: 0, deadLettered: 0, mapperFailures: 0 })).toBe(
      'events 0 · delivered 0 · retrying 0 · dead-lettered 0',
    );
  });
});
