import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryQueues, type SqsLocal, startSqsLocal } from '../../infra/local/emulators/sqsLocal';
import { DeadLetterRedrive } from '../../shared/adapters/sqs/deadLetterRedrive';
import { deliveryJobBody } from '../helpers/sqsEvents';
import { printFigures } from './deliveryLedger';

/**
 * A redrive scans the DLQ for a while. With few attempts and short delays, a job it moved back can fail
 * again and return to the DLQ before the scan ends: it must not be moved a second time, or a single
 * redrive request would redeliver the same job to a failing receiver over and over.
 */
describe('dead-letter redrive does not loop over the jobs it moved back', () => {
  let sqsLocal: SqsLocal;
  let sqs: SQSClient;
  let queues: DeliveryQueues;

  beforeAll(async () => {
    sqsLocal = await startSqsLocal();
    sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
    // One receive and a job is dead: every redriven copy fails straight back into the DLQ.
    queues = sqsLocal.createDeliveryQueues({
      maxReceiveCount: 1,
      visibilityTimeoutSeconds: 30,
      prefix: 'loop-',
    });
  });

  afterAll(async () => {
    sqs?.destroy();
    await sqsLocal?.stop();
  });

  it('moves each dead-lettered job once per redrive, even when it fails again during the scan', async () => {
    const webhookId = 'wh_looping000000000000';
    for (let i = 0; i < 3; i++) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          MessageBody: deliveryJobBody(webhookId),
          MessageAttributes: { webhookId: { DataType: 'String', StringValue: webhookId } },
        }),
      );
    }
    // A consumer whose every attempt fails at once (visibility 0), so SQS dead-letters the job again.
    let attempts = 0;
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queues.deliveriesQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        attempts += Messages.length;
        for (const message of Messages) {
          await sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queues.deliveriesQueueUrl,
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            }),
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const redrive = new DeadLetterRedrive(sqs, queues, {
      maxMessages: 1000,
      maxDurationMs: 3_000,
      visibilityTimeoutSeconds: 30,
      receiveWaitSeconds: 1,
    });
    const result = await redrive.redrive(webhookId);
    await new Promise((r) => setTimeout(r, 500));
    consuming = false;
    await consumer;

    printFigures('redrive loop', {
      deadLettered: 3,
      redriven: result.redriven,
      attempts,
      scanned: result.scanned,
    });
    expect(result.redriven).toBe(3);
    expect(attempts).toBe(3);
    // Every job ended back in the DLQ (visible again once the scan released it), none lost.
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(
      Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    ).toBe(3);
  });
});
