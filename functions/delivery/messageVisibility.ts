import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sets when SQS hands a received job out again: the retry delay of a failed attempt. */
export function sqsMessageVisibility(sqs: SQSClient, queueUrl: string) {
  return {
    async change(receiptHandle: string, seconds: number): Promise<void> {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}
