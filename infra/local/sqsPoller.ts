import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { abortableSleep } from './abortableSleep';
import { readBatchItemFailures } from './batchItemFailures';
import { invokeLambda, type LambdaHandler } from './lambdaContext';
import { toLambdaSqsRecord } from './sqsLambdaEvent';

export interface SqsBatchResult {
  received: number;
  /** Messages acknowledged (deleted) after the invocation. */
  deleted: number;
  /** Messages left on the queue for a retry (reported failures, or the whole batch on an error). */
  failed: number;
  error?: unknown;
}

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: LambdaHandler<SQSEvent, unknown>;
  functionName: string;
  /** The function timeout given to the handler's context. */
  timeoutMs: number;
  region?: string;
  batchSize?: number;
  /** Concurrent receive-invoke loops, like Lambda scaling out on a busy queue. */
  concurrency?: number;
  /** Short long-polls keep shutdown quick. */
  waitTimeSeconds?: number;
  onBatch?: (result: SqsBatchResult) => void;
  onPollError?: (error: unknown) => void;
}

export interface SqsPoller {
  /** Messages currently handed to the handler. */
  readonly inFlight: number;
  /** Stops receiving, lets running invocations finish and settles their messages. */
  stop(): Promise<void>;
}

/**
 * Feeds a queue to a handler with the semantics of Lambda's SQS event source mapping with
 * `ReportBatchItemFailures`: messages not reported as failed are deleted, reported ones stay for the
 * queue's visibility timeout (or whatever visibility the handler set), a thrown error or a timeout
 * deletes nothing, and the queue's redrive policy moves exhausted messages to the DLQ.
 */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const abort = new AbortController();
  let inFlight = 0;
  const report = options.onPollError ?? ((error) => console.error(`[${options.functionName} poller]`, error));

  async function pollOnce(): Promise<void> {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      // Not aborted on stop: an aborted long poll can drop messages the queue already handed out, which
      // then stay invisible for the whole visibility timeout. The poll ends within WaitTimeSeconds anyway.
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return;
    inFlight += messages.length;
    try {
      const records = messages.map((m) => toLambdaSqsRecord(m, options.queueArn, region));
      let toDelete = records;
      let error: unknown;
      try {
        const response = await invokeLambda(options.handler, { Records: records }, options);
        const outcome = readBatchItemFailures(
          response,
          records.map((r) => r.messageId),
        );
        if (outcome.kind === 'all-failed') toDelete = [];
        if (outcome.kind === 'some-failed')
          toDelete = records.filter((r) => !outcome.failedIds.has(r.messageId));
      } catch (invocationError) {
        error = invocationError;
        toDelete = [];
        report(invocationError);
      }
      if (toDelete.length > 0) {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
      options.onBatch?.({
        received: records.length,
        deleted: toDelete.length,
        failed: records.length - toDelete.length,
        ...(error === undefined ? {} : { error }),
      });
    } finally {
      inFlight -= messages.length;
    }
  }

  async function loop(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (abort.signal.aborted) return;
        report(error);
        await abortableSleep(1_000, abort.signal);
      }
    }
  }

  const loops = Array.from({ length: options.concurrency ?? 4 }, () => loop());
  return {
    get inFlight() {
      return inFlight;
    },
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
