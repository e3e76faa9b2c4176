import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
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
  /** Messages per invocation at most (receives are 10 at a time; more are gathered within the window). */
  batchSize?: number;
  /**
   * Lambda's MaximumBatchingWindow: once a receive has returned fewer than `batchSize` messages, wait
   * up to this long for more before invoking (0 = invoke with whatever one receive returned).
   */
  maxBatchingWindowMs?: number;
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

  const batchSize = options.batchSize ?? 10;
  const windowMs = options.maxBatchingWindowMs ?? 0;

  async function receive(maxMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, maxMessages),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      // Not aborted on stop: an aborted long poll can drop messages the queue already handed out, which
      // then stay invisible for the whole visibility timeout. The poll ends within WaitTimeSeconds anyway.
    );
    return received.Messages ?? [];
  }

  /**
   * A long poll, then, if the batch is not full, one wait to the end of the batching window and
   * immediate receives for the rest. Lambda polls repeatedly during the window; checking once at its
   * end gives the same batches and the same latency bound with fewer requests. `windowPassed`: the
   * loop already waited a whole window before this poll (see `loop`), so whatever the poll returns
   * has had its window and is invoked at once. On stop the window is cut short and what was received
   * is still invoked.
   */
  async function receiveBatch(windowPassed: boolean): Promise<Message[]> {
    const messages = await receive(batchSize, options.waitTimeSeconds ?? 1);
    if (messages.length === 0 || windowMs <= 0 || windowPassed) return messages;
    const windowEnd = Date.now() + windowMs;
    let lastFull = messages.length === Math.min(10, batchSize);
    while (messages.length < batchSize && !abort.signal.aborted) {
      const remaining = windowEnd - Date.now();
      if (remaining > 0 && !lastFull) await abortableSleep(remaining, abort.signal);
      if (abort.signal.aborted) break;
      const wanted = Math.min(10, batchSize - messages.length);
      let more: Message[];
      try {
        more = await receive(wanted, 0);
      } catch (error) {
        // The messages already received are invoked; dropping them would hide them for the visibility timeout.
        report(error);
        break;
      }
      messages.push(...more);
      lastFull = more.length === wanted;
      if (!lastFull && Date.now() >= windowEnd) break;
    }
    return messages;
  }

  /** Returns how many messages the batch had. */
  async function pollOnce(windowPassed: boolean): Promise<number> {
    const messages = await receiveBatch(windowPassed);
    if (messages.length === 0) return 0;
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
      // DeleteMessageBatch takes 10 entries at most (batches above 10 need a batching window).
      for (let start = 0; start < toDelete.length; start += 10) {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: toDelete
              .slice(start, start + 10)
              .map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
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
    return messages.length;
  }

  /**
   * After a batch that was not full, traffic is light: the loop waits out a window before polling again,
   * so the next poll collects in one request what arrived meanwhile (one receive per batch instead of a
   * poll that returns the first message and a second one at the window's end). After a full batch it
   * polls again at once, as there is likely more.
   */
  async function loop(): Promise<void> {
    let windowPassed = false;
    while (!abort.signal.aborted) {
      try {
        if (windowPassed) await abortableSleep(windowMs, abort.signal);
        if (abort.signal.aborted) return;
        const received = await pollOnce(windowPassed);
        windowPassed = windowMs > 0 && received < batchSize;
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
