/** The emulators' own request rates, the ceiling the end-to-end figures are read against. */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { itemTemplates, writeAtRate } from './loadGenerator';

/** DynamoDB Local's own PutItem rate on a stream-enabled table nobody consumes, same item sizes. */
export async function dynamoDbPutCeiling(
  client: DynamoDBClient,
  table: string,
  seconds: number,
  concurrency = 32,
): Promise<number> {
  const result = await writeAtRate({
    client,
    table,
    rate: Number.POSITIVE_INFINITY,
    seconds,
    concurrency,
    idPrefix: `ceiling-${Date.now()}`,
    templates: itemTemplates(50, 11),
  });
  return result.achievedRate;
}

/** fauxqs's own rates: SendMessageBatch (10 × ~2.5 KB) messages/s, then ReceiveMessage + DeleteMessageBatch. */
export async function sqsCeilings(
  sqs: SQSClient,
  seconds: number,
): Promise<{ sendPerSecond: number; receiveDeletePerSecond: number }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `bench-ceiling-${Date.now()}`,
      Attributes: { VisibilityTimeout: '60' },
    }),
  );
  const queueUrl = QueueUrl as string;
  const body = 'x'.repeat(2500);
  let sent = 0;
  const sendStarted = performance.now();
  const sendDeadline = sendStarted + seconds * 1000;
  await Promise.all(
    Array.from({ length: 8 }, async (_, lane) => {
      for (let batch = 0; performance.now() < sendDeadline; batch++) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: 10 }, (_, i) => ({
              Id: `m${i}`,
              MessageBody: `${lane}-${batch}-${body}`,
            })),
          }),
        );
        sent += 10;
      }
    }),
  );
  const sendPerSecond = sent / ((performance.now() - sendStarted) / 1000);

  let received = 0;
  const receiveStarted = performance.now();
  const receiveDeadline = receiveStarted + seconds * 2000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < receiveDeadline && received < sent) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
        received += Messages.length;
      }
    }),
  );
  return { sendPerSecond, receiveDeletePerSecond: received / ((performance.now() - receiveStarted) / 1000) };
}
