/** A model of Lambda's SQS event source: pollers, batches and scaling, as documented. */

import type { EventQueue } from './eventQueue';
import type { LambdaConcurrency } from './lambdaConcurrency';
import { MAX_MESSAGES_PER_REQUEST, type QueuedMessage, type SqsStandardQueue } from './sqsStandardQueue';

/**
 * Lambda's pollers for an SQS standard queue, as documented in
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html :
 * - when messages are available Lambda processes 5 batches at a time (5 concurrent invocations);
 * - while messages are still available it adds up to 300 concurrent batches per minute (modelled as
 *   5 more each second);
 * - at most 1,000 batches at once per mapping, and no more than the mapping's MaximumConcurrency
 *   (2–1,000: https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html).
 * A poller long-polls (one ReceiveMessage per 20 s while the queue is empty), gathers up to `batchSize`
 * messages with ReceiveMessage calls of at most 10, invokes the function, then deletes the messages the
 * function did not report as failed (ReportBatchItemFailures). Scaling back down when traffic falls is
 * not modelled: the scenarios run at a constant rate.
 */
export const INITIAL_CONCURRENT_BATCHES = 5;
const SCALE_UP_BATCHES_PER_MINUTE = 300;
const MAX_CONCURRENT_BATCHES_PER_MAPPING = 1_000;
const LONG_POLL_MS = 20_000;
/** A throttled or over-limit poller tries again after this long. */
const RETRY_AFTER_MS = 100;

export interface EventSourceMappingOptions {
  batchSize: number;
  maxConcurrency: number;
  /** Concurrent batches at the start: 5 from cold; a mapping that has been busy holds more. */
  initialConcurrency?: number;
  /** Time between the receive and the function starting on the batch (Lambda's invoke path). */
  invokeOverheadMs: number;
}

/** Runs one invocation on a batch; calls `done` with the messages it reports as failed. */
export type BatchHandler<T> = (
  batch: QueuedMessage<T>[],
  done: (failed: readonly QueuedMessage<T>[]) => void,
) => void;

export class SqsEventSourceMapping<T> {
  private pollers = 0;
  private idlePollers = 0;
  /** Invocations started, and simulated ms spent in the function (for GB-s). */
  invocations = 0;
  billedMs = 0;
  peakConcurrency = 0;

  constructor(
    private readonly events: EventQueue,
    private readonly queue: SqsStandardQueue<T>,
    private readonly account: LambdaConcurrency,
    readonly options: EventSourceMappingOptions,
    private readonly handler: BatchHandler<T>,
  ) {}

  get concurrency(): number {
    return this.pollers;
  }

  get ceiling(): number {
    return Math.min(this.options.maxConcurrency, MAX_CONCURRENT_BATCHES_PER_MAPPING);
  }

  start(): void {
    const initial = Math.min(this.options.initialConcurrency ?? INITIAL_CONCURRENT_BATCHES, this.ceiling);
    for (let i = 0; i < initial; i += 1) this.addPoller();
    const perSecond = SCALE_UP_BATCHES_PER_MINUTE / 60;
    const scale = () => {
      // "If messages are still available": every poller is busy and messages wait.
      if (this.idlePollers === 0 && this.queue.visibleCount > 0) {
        const add = Math.min(perSecond, this.ceiling - this.pollers);
        for (let i = 0; i < add; i += 1) this.addPoller();
      }
      this.events.after(1000, scale);
    };
    this.events.after(1000, scale);
  }

  private addPoller(): void {
    this.pollers += 1;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.pollers);
    this.events.after(0, () => this.poll());
  }

  private poll(): void {
    const batch: QueuedMessage<T>[] = [];
    while (batch.length < this.options.batchSize) {
      const result = this.queue.receive(
        Math.min(MAX_MESSAGES_PER_REQUEST, this.options.batchSize - batch.length),
      );
      if (result.kind === 'over-limit') break;
      batch.push(...result.messages);
      if (result.messages.length === 0) break;
    }
    if (batch.length === 0) {
      this.idle();
      return;
    }
    this.invoke(batch);
  }

  private idle(): void {
    this.idlePollers += 1;
    const since = this.events.now;
    const wake = () => {
      this.idlePollers -= 1;
      // A long poll returns empty after 20 s and is asked again: one more request per 20 s of waiting.
      this.queue.counters.receiveRequests += Math.floor((this.events.now - since) / LONG_POLL_MS);
      this.poll();
    };
    if (this.queue.visibleCount > 0)
      this.events.after(RETRY_AFTER_MS, wake); // over-limit: try again soon
    else this.queue.waitForMessages(wake);
  }

  private invoke(batch: QueuedMessage<T>[]): void {
    if (!this.account.tryAcquire()) {
      this.events.after(RETRY_AFTER_MS, () => this.invoke(batch));
      return;
    }
    this.invocations += 1;
    const started = this.events.now;
    this.events.after(this.options.invokeOverheadMs, () => {
      this.handler(batch, (failed) => {
        this.billedMs += Math.ceil(this.events.now - started);
        this.account.release();
        const failedSet = new Set(failed);
        this.queue.deleteBatch(batch.filter((m) => !failedSet.has(m)));
        this.poll();
      });
    });
  }
}
