import { type DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DELIVERY_LOG_TABLE_KEYS } from '../../config/tables';
import { decodeCursor, encodeCursor, InvalidCursorError } from './pageCursor';

export const ATTEMPT_OUTCOMES = ['delivered', 'failed', 'dead-lettered', 'gone', 'skipped'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One delivery attempt as `GET /webhooks/{id}/deliveries` shows it. */
export interface DeliveryAttempt {
  webhookId: string;
  deliveryId: string;
  eventId: string;
  event: string;
  /** 1-based attempt number (SQS ApproximateReceiveCount). */
  attempt: number;
  outcome: AttemptOutcome;
  /** Failure cause: `http-5xx`, `timeout`, `connection`, `blocked`… */
  cause?: string;
  statusCode?: number;
  durationMs: number;
  error?: string;
  /** First KB of the response body. */
  responseBody?: string;
  attemptedAt: string;
  /** When the next attempt is due, for retried failures. */
  nextAttemptAt?: string;
}

interface StoredAttempt extends DeliveryAttempt {
  attemptKey: string;
  expiresAt: number;
}

const { partitionKey, sortKey, ttlAttribute } = DELIVERY_LOG_TABLE_KEYS;

/** Attempt log with a TTL: written by the delivery function, read by the API (newest first). */
export class DeliveryLogStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async record(attempt: DeliveryAttempt, ttlDays: number): Promise<void> {
    const item: StoredAttempt = {
      ...attempt,
      [sortKey]: `${attempt.attemptedAt}#${attempt.deliveryId}#${attempt.attempt}`,
      [ttlAttribute]: Math.floor(Date.parse(attempt.attemptedAt) / 1000) + Math.round(ttlDays * 86_400),
    } as StoredAttempt;
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(item, { removeUndefinedValues: true }),
      }),
    );
  }

  async list(
    webhookId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ items: DeliveryAttempt[]; nextCursor: string | null }> {
    const startKey = decodeCursor(options.cursor, [partitionKey, sortKey]);
    if (startKey && startKey[partitionKey]?.S !== webhookId) throw new InvalidCursorError();
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :id',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: marshall({ ':id': webhookId }),
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
