/** A model of an SQS standard queue with the rules the delivery plane depends on. */

import type { EventQueue } from './eventQueue';

/**
 * A model of one SQS standard queue, with the rules the delivery plane depends on:
 * - DelaySeconds is 0–900 per message; anything else is rejected (InvalidParameterValue)
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
 * - a batch request carries at most 10 messages, and ReceiveMessage returns at most 10
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * - a received message is in flight until deleted or until its visibility timeout ends, when it becomes
 *   visible again; a standard queue holds at most ~120,000 in-flight messages, past which ReceiveMessage
 *   fails with OverLimit for every consumer
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html (OverLimit)
 * Order is first-visible first-out: a standard queue promises no order, and this is the kindest one.
 */
export const MAX_DELAY_SECONDS = 900;
export const MAX_MESSAGES_PER_REQUEST = 10;
export const IN_FLIGHT_QUOTA = 120_000;

export interface QueuedMessage<T> {
  body: T;
  /** How many times it was received (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  inFlight: boolean;
}

export type ReceiveResult<T> = { kind: 'messages'; messages: QueuedMessage<T>[] } | { kind: 'over-limit' };

export interface QueueCounters {
  sendRequests: number;
  receiveRequests: number;
  emptyReceives: number;
  overLimitReceives: number;
  deleteRequests: number;
  messagesSent: number;
  peakInFlight: number;
}

export class SqsStandardQueue<T> {
  private visible: QueuedMessage<T>[] = [];
  /** Index of the oldest visible message in `visible` (a cheap deque). */
  private head = 0;
  private inFlightCount = 0;
  private readonly waiters: (() => void)[] = [];
  readonly counters: QueueCounters = {
    sendRequests: 0,
    receiveRequests: 0,
    emptyReceives: 0,
    overLimitReceives: 0,
    deleteRequests: 0,
    messagesSent: 0,
    peakInFlight: 0,
  };

  constructor(
    readonly name: string,
    private readonly events: EventQueue,
    readonly options: { visibilityTimeoutSeconds: number; inFlightQuota?: number },
  ) {}

  get inFlight(): number {
    return this.inFlightCount;
  }

  get visibleCount(): number {
    return this.visible.length - this.head;
  }

  /** SendMessageBatch: one request per 10 entries, each with its own DelaySeconds. */
  sendBatch(entries: readonly { body: T; delaySeconds: number }[]): void {
    if (entries.length === 0) return;
    for (const { delaySeconds } of entries) {
      if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
        throw new RangeError(
          `DelaySeconds must be a whole number from 0 to ${MAX_DELAY_SECONDS}, got ${delaySeconds}`,
        );
      }
    }
    this.counters.sendRequests += Math.ceil(entries.length / MAX_MESSAGES_PER_REQUEST);
    this.counters.messagesSent += entries.length;
    for (const { body, delaySeconds } of entries) {
      const message: QueuedMessage<T> = { body, receiveCount: 0, inFlight: false };
      if (delaySeconds === 0) this.makeVisible(message);
      else this.events.after(delaySeconds * 1000, () => this.makeVisible(message));
    }
  }

  /** One ReceiveMessage call (short answer: what is visible now, at most `max` ≤ 10). */
  receive(max: number): ReceiveResult<T> {
    this.counters.receiveRequests += 1;
    if (this.inFlightCount >= (this.options.inFlightQuota ?? IN_FLIGHT_QUOTA)) {
      this.counters.overLimitReceives += 1;
      return { kind: 'over-limit' };
    }
    const room = (this.options.inFlightQuota ?? IN_FLIGHT_QUOTA) - this.inFlightCount;
    const count = Math.min(max, MAX_MESSAGES_PER_REQUEST, this.visibleCount, room);
    if (count === 0) this.counters.emptyReceives += 1;
    const messages = this.visible.slice(this.head, this.head + count);
    this.head += count;
    if (this.head > 4096 && this.head * 2 > this.visible.length) {
      this.visible = this.visible.slice(this.head);
      this.head = 0;
    }
    for (const message of messages) {
      message.inFlight = true;
      message.receiveCount += 1;
    }
    this.inFlightCount += count;
    this.counters.peakInFlight = Math.max(this.counters.peakInFlight, this.inFlightCount);
    if (count > 0) {
      // Not deleted by then: SQS makes it visible again (the consumer crashed or ran too long).
      this.events.after(this.options.visibilityTimeoutSeconds * 1000, () => {
        for (const message of messages) {
          if (message.inFlight) {
            message.inFlight = false;
            this.inFlightCount -= 1;
            this.makeVisible(message);
          }
        }
      });
    }
    return { kind: 'messages', messages };
  }

  /** DeleteMessageBatch: one request per 10 messages. */
  deleteBatch(messages: readonly QueuedMessage<T>[]): void {
    if (messages.length === 0) return;
    this.counters.deleteRequests += Math.ceil(messages.length / MAX_MESSAGES_PER_REQUEST);
    for (const message of messages) {
      if (!message.inFlight) continue;
      message.inFlight = false;
      this.inFlightCount -= 1;
    }
  }

  /** A long-polling consumer waits here; it is called once when a message becomes visible. */
  waitForMessages(wake: () => void): void {
    this.waiters.push(wake);
  }

  private makeVisible(message: QueuedMessage<T>): void {
    this.visible.push(message);
    const waiter = this.waiters.shift();
    if (waiter) this.events.after(0, waiter);
  }
}
