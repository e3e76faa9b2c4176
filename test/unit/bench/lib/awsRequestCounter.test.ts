import { ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsRequestCounter, tagAsBenchTraffic } from '../../../../bench/lib/awsRequestCounter';
import { type SqsLocal, startSqsLocal } from '../../../../infra/local/emulators/sqsLocal';

describe('AWS request counter (what the benchmarks report per delivery)', () => {
  let sqsLocal: SqsLocal;
  let queueUrl: string;
  const client = () =>
    new SQSClient({
      endpoint: sqsLocal.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      useQueueUrlAsEndpoint: false,
    });

  beforeAll(async () => {
    sqsLocal = await startSqsLocal();
    queueUrl = sqsLocal.server.createQueue('counted').queueUrl;
  });
  afterAll(() => sqsLocal.stop());

  it('counts each SQS call once, though the local SQS rules guard forwards it to fauxqs', async () => {
    const sqs = client();
    const counter = startAwsRequestCounter();
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
      await sqs.send(new ListQueuesCommand({}));
      expect(counter.snapshot()).toEqual({ 'sqs.SendMessage': 1, 'sqs.ListQueues': 1 });
    } finally {
      counter.stop();
      sqs.destroy();
    }
  });

  it("leaves out the benchmark's own tagged clients", async () => {
    const sqs = client();
    tagAsBenchTraffic(sqs);
    const counter = startAwsRequestCounter();
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'load' }));
      expect(counter.snapshot()).toEqual({});
    } finally {
      counter.stop();
      sqs.destroy();
    }
  });
});
