import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  decodeDeliveryJob,
  encodeDeliveryJob,
  encodeDeliveryJobs,
} from '../../shared/domain/delivery/deliveryJob';
import type { CrmEvent } from '../../shared/domain/events/crmEvent';

const REGION = 'us-east-1';
const DEFAULT_QUEUE_ARN = `arn:aws:sqs:${REGION}:000000000000:deliveries`;

/** A CRM event to turn into delivery jobs; override any field. */
export function crmEvent(overrides: Partial<CrmEvent> = {}): CrmEvent {
  const id = randomUUID().slice(0, 8);
  return {
    eventId: `evt_${randomUUID().replaceAll('-', '')}`,
    name: 'person.created',
    object: 'person',
    action: 'created',
    workspaceId: 'ws-1',
    recordId: id,
    timestamp: '2026-11-27T12:00:00.000Z',
    dataJson: `{"id":"${id}","firstName":"Alice","score":12345678901234567890}`,
    ...overrides,
  };
}

/**
 * The SQS message body the event mapper would send for (event, webhook); with `retry`, the body the
 * delivery function re-sends for a later attempt (`attempt`, optional `notBefore`).
 */
export function deliveryJobBody(
  webhookId: string,
  event: CrmEvent = crmEvent(),
  retry?: { attempt: number; notBefore?: number },
): string {
  const [job] = encodeDeliveryJobs(event, [webhookId]);
  if (job === undefined) throw new Error('no job encoded');
  if (retry === undefined) return job.body;
  const decoded = decodeDeliveryJob(job.body);
  if (!decoded.ok) throw new Error(decoded.error);
  return encodeDeliveryJob({ ...decoded.job, ...retry });
}

/** One record of a Lambda SQS event; `receiveCount` is `ApproximateReceiveCount`. */
export function sqsRecord({
  body,
  receiveCount = 1,
  messageId = randomUUID(),
  receiptHandle = `handle-${randomUUID()}`,
  queueArn = DEFAULT_QUEUE_ARN,
  webhookId,
}: {
  body: string;
  receiveCount?: number;
  messageId?: string;
  receiptHandle?: string;
  queueArn?: string;
  webhookId?: string;
}): SQSRecord {
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: now,
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes:
      webhookId === undefined
        ? {}
        : {
            webhookId: {
              stringValue: webhookId,
              stringListValues: [],
              binaryListValues: [],
              dataType: 'String',
            },
          },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A received SQS message as Lambda's event source mapping hands it to the function. */
function sqsRecordFromMessage(message: Message, queueArn = DEFAULT_QUEUE_ARN): SQSRecord {
  const attributes = message.Attributes ?? {};
  const webhookId = message.MessageAttributes?.webhookId?.StringValue;
  return {
    ...sqsRecord({
      body: message.Body ?? '',
      receiveCount: Number(attributes.ApproximateReceiveCount ?? '1'),
      messageId: message.MessageId ?? randomUUID(),
      receiptHandle: message.ReceiptHandle ?? '',
      queueArn,
      ...(webhookId === undefined ? {} : { webhookId }),
    }),
    md5OfBody: message.MD5OfBody ?? '',
  };
}

/** A Lambda context whose clock counts down from `remainingMs`, like the real one. */
export function lambdaContext({
  remainingMs = 60_000,
  functionName = 'delivery',
}: {
  remainingMs?: number;
  functionName?: string;
} = {}): Context {
  const deadline = Date.now() + remainingMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `test/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * One poll of Lambda's SQS event source: ReceiveMessage (with ApproximateReceiveCount), invoke the
 * handler with the Lambda-shaped event, then delete the messages not reported in `batchItemFailures`.
 * Returns what happened, or `received: 0` when the queue had nothing visible.
 */
export async function pollOnce({
  sqs,
  queueUrl,
  handler,
  maxMessages = 10,
  waitTimeSeconds = 0,
  remainingMs = 60_000,
  queueArn = DEFAULT_QUEUE_ARN,
}: {
  sqs: SQSClient;
  queueUrl: string;
  /** The event source ARN the records carry (the delivery function tells its lanes apart by it). */
  queueArn?: string;
  handler: SqsHandler;
  maxMessages?: number;
  waitTimeSeconds?: number;
  remainingMs?: number;
}): Promise<{ received: number; records: SQSRecord[]; failedIds: string[] }> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: maxMessages,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return { received: 0, records: [], failedIds: [] };
  const records = Messages.map((message) => sqsRecordFromMessage(message, queueArn));
  const response = await handler(sqsEvent(records), lambdaContext({ remainingMs }));
  const failedIds = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
  const succeeded = Messages.filter((message) => !failedIds.includes(message.MessageId ?? ''));
  if (succeeded.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
        })),
      }),
    );
  }
  return { received: Messages.length, records, failedIds };
}

/** The ARN a queue URL stands for (fauxqs and SQS URLs end with the account id and the queue name). */
export function queueArnOf(queueUrl: string): string {
  const [account, name] = queueUrl.split('/').slice(-2);
  return `arn:aws:sqs:${REGION}:${account}:${name}`;
}
