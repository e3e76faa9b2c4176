/** The delivery log in DynamoDB: attempts written in batches (BatchWriteItem) and listed a page at a time. */

import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ATTEMPT_KEYS_END, DELIVERY_LOG_TABLE_KEYS } from '../../config/tables';
import type { DeliveryAttempt } from '../../domain/delivery/deliveryAttempt';
import { decodePartitionCursor, encodeCursor } from './pageCursor';

interface StoredAttempt extends DeliveryAttempt {
  attemptKey: string;
  expiresAt: number;
}

const { partitionKey, sortKey, ttlAttribute } = DELIVERY_LOG_TABLE_KEYS;

/** DynamoDB's limit of put requests in one BatchWriteItem. */
export const BATCH_WRITE_LIMIT = 25;

export interface BatchRetryOptions {
  /** BatchWriteItem calls per chunk at most (the first one included). */
  maxAttempts?: number;
  /** First backoff before re-sending unprocessed items; doubles each time, with full jitter. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What a batch write could not store after its retries: the caller logs and counts it. */
export interface BatchRecordResult {
  unprocessed: DeliveryAttempt[];
  /** The error that stopped a chunk early (throttling past the SDK's own retries, a missing table…). */
  error?: unknown;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Attempt log with a TTL: written by the delivery function, read by the API (newest first). */
export class DeliveryLogStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async record(attempt: DeliveryAttempt, ttlDays: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({ TableName: this.tableName, Item: storedItem(attempt, ttlDays) }),
    );
  }

  /**
   * Writes many attempts with BatchWriteItem (25 per request, chunks in parallel): one request per
   * delivery batch instead of one per attempt. Items DynamoDB leaves unprocessed (throttling) are sent
   * again with exponential backoff; whatever is still unwritten after `maxAttempts` is returned, never
   * dropped silently. Entries with the same key keep the last one (a request may not repeat a key).
   */
  async recordBatch(
    attempts: readonly DeliveryAttempt[],
    ttlDays: number,
    options: BatchRetryOptions = {},
  ): Promise<BatchRecordResult> {
    const byKey = new Map<string, { attempt: DeliveryAttempt; item: Record<string, AttributeValue> }>();
    for (const attempt of attempts) {
      byKey.set(`${attempt.webhookId}\u0000${attemptKeyOf(attempt)}`, {
        attempt,
        item: storedItem(attempt, ttlDays),
      });
    }
    const entries = [...byKey.values()];
    const chunks: (typeof entries)[] = [];
    for (let i = 0; i < entries.length; i += BATCH_WRITE_LIMIT) {
      chunks.push(entries.slice(i, i + BATCH_WRITE_LIMIT));
    }
    const results = await Promise.all(chunks.map((chunk) => this.writeChunk(chunk, options)));
    const failed = results.find((r) => r.error !== undefined);
    return {
      unprocessed: results.flatMap((r) => r.unprocessed),
      ...(failed ? { error: failed.error } : {}),
    };
  }

  private async writeChunk(
    chunk: { attempt: DeliveryAttempt; item: Record<string, AttributeValue> }[],
    { maxAttempts = 5, baseDelayMs = 50, sleep = defaultSleep, random = Math.random }: BatchRetryOptions,
  ): Promise<BatchRecordResult> {
    let pending = chunk;
    for (let call = 1; ; call++) {
      let left: Record<string, AttributeValue>[];
      try {
        const result = await this.client.send(
          new BatchWriteItemCommand({
            RequestItems: { [this.tableName]: pending.map(({ item }) => ({ PutRequest: { Item: item } })) },
          }),
        );
        left = (result.UnprocessedItems?.[this.tableName] ?? []).flatMap((request) =>
          request.PutRequest?.Item ? [request.PutRequest.Item] : [],
        );
      } catch (error) {
        return { unprocessed: pending.map(({ attempt }) => attempt), error };
      }
      if (left.length === 0) return { unprocessed: [] };
      const leftKeys = new Set(left.map((item) => `${item[partitionKey]?.S}\u0000${item[sortKey]?.S}`));
      pending = pending.filter(({ item }) =>
        leftKeys.has(`${item[partitionKey]?.S}\u0000${item[sortKey]?.S}`),
      );
      if (call >= maxAttempts) return { unprocessed: pending.map(({ attempt }) => attempt) };
      await sleep(Math.round(random() * baseDelayMs * 2 ** (call - 1)));
    }
  }

  async list(
    webhookId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ items: DeliveryAttempt[]; nextCursor: string | null }> {
    const startKey = decodePartitionCursor(options.cursor, { partitionKey, sortKey }, webhookId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        // Below ATTEMPT_KEYS_END: attempts only, not the dead-letter index sharing the partition.
        KeyConditionExpression: '#pk = :id AND #sk < :end',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: marshall({ ':id': webhookId, ':end': ATTEMPT_KEYS_END }),
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (result.Items ?? []).map((raw) => {
      const { attemptKey: _key, expiresAt: _ttl, ...attempt } = unmarshall(raw) as StoredAttempt;
      return attempt;
    });
    return { items, nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }
}

function attemptKeyOf(attempt: DeliveryAttempt): string {
  return `${attempt.attemptedAt}#${attempt.deliveryId}#${attempt.attempt}`;
}

function storedItem(attempt: DeliveryAttempt, ttlDays: number): Record<string, AttributeValue> {
  const item = {
    ...attempt,
    [sortKey]: attemptKeyOf(attempt),
    [ttlAttribute]: Math.floor(Date.parse(attempt.attemptedAt) / 1000) + Math.round(ttlDays * 86_400),
  } as StoredAttempt;
  return marshall(item, { removeUndefinedValues: true });
}
