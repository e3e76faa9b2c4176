/** Each webhook's dead letters, indexed in the delivery log table so redrive reads only that webhook's. */

import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DEAD_LETTER_KEY_PREFIX, DELIVERY_LOG_TABLE_KEYS } from '../../config/tables';
import { DEAD_LETTER_RETENTION_DAYS, type DeadLetter } from '../../domain/delivery/deadLetter';
import { decodePartitionCursor, encodeCursor } from './pageCursor';

const { partitionKey, sortKey, ttlAttribute } = DELIVERY_LOG_TABLE_KEYS;

/**
 * Each webhook's dead letters, kept in the delivery log table under the webhook's partition with sort
 * key `dead-letter#<deliveryId>` (one entry per delivery: dead-lettering it again replaces it). A
 * Query on the webhook's partition reads exactly its own dead letters; the attempt log's listing stops
 * before these keys (see `DELIVERY_LOG_TABLE_KEYS`). Entries expire after 14 days, like the DLQ.
 */
export class DeadLetterIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(entry: DeadLetter): Promise<void> {
    const expiresAt =
      Math.floor(Date.parse(entry.deadLetteredAt) / 1000) + DEAD_LETTER_RETENTION_DAYS * 86_400;
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ ...entry, [sortKey]: keyOf(entry.deliveryId), [ttlAttribute]: expiresAt }),
      }),
    );
  }

  async get(webhookId: string, deliveryId: string): Promise<DeadLetter | undefined> {
    const result = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ [partitionKey]: webhookId, [sortKey]: keyOf(deliveryId) }),
        ConsistentRead: true,
      }),
    );
    return result.Item ? toDeadLetter(result.Item) : undefined;
  }

  /** One page of the webhook's dead letters (oldest delivery id first; order carries no meaning). */
  async list(
    webhookId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
    const startKey = decodePartitionCursor(options.cursor, { partitionKey, sortKey }, webhookId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :id AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: marshall({ ':id': webhookId, ':prefix': DEAD_LETTER_KEY_PREFIX }),
        Limit: options.limit,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    return {
      items: (result.Items ?? []).map(toDeadLetter),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  /**
   * Removes the entry a redrive or resend just sent back, unless it was replaced meanwhile: a job that
   * failed its last attempt again while the redrive ran has a newer `deadLetteredAt`, and its entry
   * must stay. Returns false when the entry was already gone or replaced.
   */
  async remove(entry: Pick<DeadLetter, 'webhookId' | 'deliveryId' | 'deadLetteredAt'>): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: entry.webhookId, [sortKey]: keyOf(entry.deliveryId) }),
          ConditionExpression: 'deadLetteredAt = :seen',
          ExpressionAttributeValues: marshall({ ':seen': entry.deadLetteredAt }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function keyOf(deliveryId: string): string {
  return `${DEAD_LETTER_KEY_PREFIX}${deliveryId}`;
}

function toDeadLetter(item: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>): DeadLetter {
  const { [sortKey]: _key, [ttlAttribute]: _ttl, ...entry } = unmarshall(item);
  return entry as DeadLetter;
}
