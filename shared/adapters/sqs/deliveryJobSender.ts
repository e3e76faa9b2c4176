/** Sends delivery jobs to SQS: packed into SendMessageBatch requests within SQS's count and size limits. */

import {
  type BatchResultErrorEntry,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10;

/** One SQS message to send. `entryId` is the caller's key: it is used as the batch entry Id. */
export interface OutgoingMessage {
  /** 1–80 characters of `[A-Za-z0-9_-]`, unique within one `send` call. */
  entryId: string;
  body: string;
  /** String message attributes (e.g. `webhookId`). */
  attributes: Record<string, string>;
  /**
   * Seconds SQS keeps the message invisible after sending, 0–900 (re-sent retries):
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
   */
  delaySeconds?: number;
}

export type SendOutcome =
  | { entryId: string; status: 'sent' }
  /** Larger than SQS accepts even alone: never sent. */
  | { entryId: string; status: 'too-large'; sizeBytes: number }
  /** SQS refused it (after retries when the fault was on SQS's side). */
  | { entryId: string; status: 'failed'; code: string; senderFault: boolean; attempts: number };

export interface DeliveryJobSenderOptions {
  queueUrl: string;
  /** Largest message (body + attributes) SQS accepts. */
  maxMessageBytes: number;
  /** Cap on the sum of message sizes in one request; SQS uses the same limit as for one message. */
  maxRequestBytes?: number;
  /** SendMessageBatch requests in flight at once. */
  concurrency: number;
  /** Tries per entry reported in `Failed` without `SenderFault` (the SDK already retries whole requests). */
  maxEntryAttempts?: number;
  retryBaseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const VALID_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Size SQS charges a message: body bytes plus, per attribute, name + data type + value bytes. */
export function messageSizeBytes(body: string, attributes: Record<string, string>): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const name in attributes) {
    size +=
      Buffer.byteLength(name, 'utf8') +
      'String'.length +
      Buffer.byteLength(attributes[name] as string, 'utf8');
  }
  return size;
}

interface SizedMessage {
  message: OutgoingMessage;
  /** Position in the `send` input, where its outcome goes. */
  index: number;
  size: number;
}

interface EntryFailure {
  item: SizedMessage;
  code: string;
  senderFault: boolean;
  /** False when the SDK has already retried the whole request. */
  retryable: boolean;
}

/**
 * Packs messages, in order, into requests of at most 10 entries whose sizes add up to at most
 * `maxRequestBytes`. A message as large as the limit gets a request of its own.
 */
export function packIntoBatches<T extends { size: number }>(
  items: readonly T[],
  maxRequestBytes: number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    if (
      current.length > 0 &&
      (current.length === MAX_BATCH_ENTRIES || currentBytes + item.size > maxRequestBytes)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends delivery jobs with SendMessageBatch: packed by count and size, several requests in flight,
 * entries SQS reports as failed (on its side) retried with a short backoff. Returns one outcome per
 * message, in input order, so the caller can fail exactly the stream records whose jobs did not go out.
 */
export class DeliveryJobSender {
  private readonly maxRequestBytes: number;
  private readonly maxEntryAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: SQSClient,
    private readonly options: DeliveryJobSenderOptions,
  ) {
    this.maxRequestBytes = options.maxRequestBytes ?? options.maxMessageBytes;
    this.maxEntryAttempts = options.maxEntryAttempts ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 50;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> {
    const outcomes = new Array<SendOutcome>(messages.length);
    const entryIds = new Set<string>();
    let pending: SizedMessage[] = [];
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index] as OutgoingMessage;
      const { entryId } = message;
      if (!VALID_ENTRY_ID.test(entryId) || entryIds.has(entryId)) {
        throw new Error(`invalid or duplicate batch entry id ${JSON.stringify(entryId)}`);
      }
      const delay = message.delaySeconds;
      if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 900)) {
        // SQS would reject the whole entry; a caller bug, not a transient fault.
        throw new RangeError(`DelaySeconds must be a whole number from 0 to 900, got ${delay}`);
      }
      entryIds.add(entryId);
      const size = messageSizeBytes(message.body, message.attributes);
      if (size > this.options.maxMessageBytes) {
        outcomes[index] = { entryId, status: 'too-large', sizeBytes: size };
      } else {
        outcomes[index] = { entryId, status: 'sent' };
        pending.push({ message, index, size });
      }
    }

    for (let attempt = 1; pending.length > 0; attempt++) {
      const batches = packIntoBatches(pending, this.maxRequestBytes);
      const failures = (
        await mapWithConcurrency(batches, this.options.concurrency, (b) => this.sendBatch(b))
      ).flat();
      const retry: SizedMessage[] = [];
      for (const failure of failures) {
        const { item } = failure;
        if (!failure.senderFault && failure.retryable && attempt < this.maxEntryAttempts) {
          retry.push(item);
        } else {
          outcomes[item.index] = {
            entryId: item.message.entryId,
            status: 'failed',
            code: failure.code,
            senderFault: failure.senderFault,
            attempts: attempt,
          };
        }
      }
      pending = retry;
      if (pending.length > 0) await this.sleep(this.backoffMs(attempt));
    }
    return outcomes;
  }

  private backoffMs(attempt: number): number {
    const base = this.retryBaseDelayMs * 2 ** (attempt - 1);
    return base + Math.floor(Math.random() * this.retryBaseDelayMs);
  }

  /** Sends one request; returns the entries that did not go out. */
  private async sendBatch(batch: SizedMessage[]): Promise<EntryFailure[]> {
    const entries: SendMessageBatchRequestEntry[] = batch.map(({ message }) => {
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const name in message.attributes) {
        attributes[name] = { DataType: 'String', StringValue: message.attributes[name] };
      }
      return {
        Id: message.entryId,
        MessageBody: message.body,
        MessageAttributes: attributes,
        ...(message.delaySeconds === undefined ? {} : { DelaySeconds: message.delaySeconds }),
      };
    });
    let failed: BatchResultErrorEntry[];
    let succeeded: Set<string>;
    try {
      const result = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
      );
      failed = result.Failed ?? [];
      succeeded = new Set((result.Successful ?? []).map((entry) => entry.Id ?? ''));
    } catch (error) {
      // The SDK has already retried throttling and server errors; what is left will not improve now.
      const err = error as { name?: string; $fault?: string };
      const code = err.name ?? 'Error';
      return batch.map((item) => ({ item, code, senderFault: err.$fault === 'client', retryable: false }));
    }
    const failedById = new Map(failed.map((entry) => [entry.Id, entry]));
    const failures: EntryFailure[] = [];
    for (const item of batch) {
      const id = item.message.entryId;
      if (succeeded.has(id)) continue;
      const entry = failedById.get(id);
      failures.push({
        item,
        code: entry?.Code ?? 'MissingFromResponse',
        senderFault: entry?.SenderFault ?? false,
        retryable: true,
      });
    }
    return failures;
  }
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
