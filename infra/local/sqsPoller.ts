/** The local SQS event source: polls a queue and invokes a handler with batches, as Lambda does. */
import { setMaxListeners } from 'node:events';
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

/**
 * Lambda's SQS event source adds "up to 300 more instances per minute" while messages are still
 * available (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html): one more
 * concurrent batch every 200 ms at most.
 */
const SCALE_UP_INTERVAL_MS = 60_000 / 300;

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
  /**
   * Most concurrent receive-invoke loops (the mapping's maximum concurrency). Like Lambda's pollers,
   * a loop is added every `SCALE_UP_INTERVAL_MS` while receives keep coming back full (messages are
   * still available), even while every loop is busy invoking, and loops leave when their receive comes
   * back empty or partial, down to `minConcurrency`.
   */
  concurrency?: number;
  /** Loops running from the start and kept on an idle queue (default 1; Lambda starts with 5). */
  minConcurrency?: number;
  /**
   * How often a loop may be added while messages remain (default `SCALE_UP_INTERVAL_MS`, Lambda's pace).
   * Tests that check what a burst does between two additions lengthen it, so a loaded machine cannot
   * turn a slow receive into an extra loop.
   */
  scaleUpIntervalMs?: number;
  /**
   * The long poll of each loop (default 20, the most SQS allows and what Lambda's pollers use, so idle
   * loops cost three requests a minute each). `stop()` waits for the polls to be answered: give
   * `endWaitingPolls`, or a short wait.
   */
  waitTimeSeconds?: number;
  /**
   * Asks the SQS endpoint to answer this queue's waiting long polls now (the local SQS rules guard's
   * `endLongPolls`), so that `stop()` need not wait them out. Lambda's pollers have no such need.
   */
  endWaitingPolls?: () => void;
  onBatch?: (result: SqsBatchResult) => void;
  onPollError?: (error: unknown) => void;
}

export interface SqsPoller {
  /** Messages currently handed to the handler. */
  readonly inFlight: number;
  /** Receive-invoke loops currently running, between `minConcurrency` and `concurrency`. */
  readonly activeLoops: number;
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
  // Without a window a batch is what one receive returns, 10 at most.
  const fullBatch = windowMs > 0 ? batchSize : Math.min(10, batchSize);
  const maxLoops = options.concurrency ?? 4;
  const minLoops = options.minConcurrency ?? 1;
  if (!(Number.isInteger(minLoops) && Number.isInteger(maxLoops) && minLoops >= 1 && minLoops <= maxLoops))
    throw new RangeError(`poller concurrency must satisfy 1 <= min (${minLoops}) <= max (${maxLoops})`);
  // Each loop's batching-window sleep listens for the stop.
  setMaxListeners(maxLoops + 1, abort.signal);
  /**
   * One ReceiveMessage. Never aborted: an aborted receive can lose the answer it was already given, and
   * the messages in it would stay hidden for the visibility timeout. On stop, `endWaitingPolls` has the
   * local SQS answer the waiting polls at once.
   */
  async function receive(maxMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, maxMessages),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  }

  /**
   * A long poll, then, if the batch is not full, one wait to the end of the batching window (counted from
   * that first receive) and immediate receives for the rest, as Lambda does: it "continues to poll
   * messages" until the batch is full, the window has passed or the payload reaches 6 MB
   * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html), so a lone message waits
   * out the whole window. Checking once at the window's end instead of repeatedly gives the same batches
   * with fewer requests. On stop the window is cut short and what was received is still invoked.
   */
  async function receiveBatch(): Promise<Message[]> {
    const messages = await receive(batchSize, options.waitTimeSeconds ?? 20);
    if (messages.length === 0 || windowMs <= 0) return messages;
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

  async function invoke(messages: Message[]): Promise<void> {
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
  }

  // Counted apart from `loops`: a loop's promise leaves the set a tick after it decides to exit, and two
  // loops deciding in that tick must not both leave.
  let activeLoops = 0;
  const loops = new Set<Promise<void>>();
  /** Whether the latest receive (of any loop) came back full: messages are still available. */
  let backlog = false;

  function startLoop(): void {
    activeLoops++;
    const running: Promise<void> = loop().finally(() => loops.delete(running));
    loops.add(running);
  }

  /**
   * One receive-invoke loop. An empty or partial batch means the loops outpace the queue, so this one
   * exits after invoking, unless it is one of the last `minLoops` (idle loops would only spend a request
   * per long poll). After a full batch it polls again at once, as there is likely more. Scaling up is the
   * scaler's job (below).
   */
  async function loop(): Promise<void> {
    try {
      while (!abort.signal.aborted) {
        try {
          const messages = await receiveBatch();
          const full = messages.length >= fullBatch;
          backlog = full;
          await invoke(messages);
          if (!full && activeLoops > minLoops) return;
        } catch (error) {
          if (abort.signal.aborted) return;
          report(error);
          // Extra loops would only add failing requests: leave the retries to the minimum.
          if (activeLoops > minLoops) return;
          await abortableSleep(1_000, abort.signal);
        }
      }
    } finally {
      activeLoops--;
    }
  }

  /**
   * Lambda's scale-up: while messages are still available, one more concurrent batch per interval, up to
   * the maximum, whatever the running batches are doing. A loop stuck in a slow invocation therefore
   * does not stop the mapping from taking on the rest of a backlog. A burst that one loop drains within
   * an interval adds no loop (a second one would only split it into smaller batches).
   */
  const scaler = setInterval(() => {
    if (backlog && activeLoops < maxLoops && !abort.signal.aborted) startLoop();
  }, options.scaleUpIntervalMs ?? SCALE_UP_INTERVAL_MS);
  scaler.unref();

  for (let i = 0; i < minLoops; i++) startLoop();
  return {
    get inFlight() {
      return inFlight;
    },
    get activeLoops() {
      return activeLoops;
    },
    async stop() {
      abort.abort();
      clearInterval(scaler);
      // Again until every loop is done: a receive already on its way when the stop came may start waiting after the first call.
      options.endWaitingPolls?.();
      const ending = options.endWaitingPolls ? setInterval(options.endWaitingPolls, 100) : undefined;
      // No loop starts once aborted, but wait until the set is empty rather than rely on that.
      while (loops.size > 0) await Promise.all(loops);
      clearInterval(ending);
    },
  };
}
