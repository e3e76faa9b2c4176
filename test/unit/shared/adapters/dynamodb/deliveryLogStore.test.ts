import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductTables, deleteTables } from '../../../../../infra/local/tables';
import {
  BATCH_WRITE_LIMIT,
  DeliveryLogStore,
} from '../../../../../shared/adapters/dynamodb/deliveryLogStore';
import type { DeliveryAttempt } from '../../../../../shared/domain/delivery/deliveryAttempt';
import { dynamoDbEndpoint, uniqueTableName } from '../../../../helpers/emulators';

function attempt(webhookId: string, n: number, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    webhookId,
    deliveryId: `dlv_${String(n).padStart(4, '0')}`,
    eventId: `evt_${n}`,
    event: 'person.created',
    attempt: 1,
    outcome: 'delivered',
    statusCode: 204,
    durationMs: 3,
    attemptedAt: new Date(Date.UTC(2026, 10, 27, 12, 0, 0, n)).toISOString(),
    ...overrides,
  };
}

async function listAll(store: DeliveryLogStore, webhookId: string): Promise<DeliveryAttempt[]> {
  const items: DeliveryAttempt[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(webhookId, { limit: 100, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

describe('DeliveryLogStore.recordBatch against DynamoDB Local', () => {
  const dynamoDb = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  const tables = {
    webhooks: uniqueTableName('batch-webhooks'),
    apiKeys: uniqueTableName('batch-keys'),
    deliveryLog: uniqueTableName('batch-log'),
  };
  const store = new DeliveryLogStore(dynamoDb, tables.deliveryLog);

  beforeAll(async () => {
    await createProductTables(dynamoDb, tables);
  });
  afterAll(async () => {
    await deleteTables(dynamoDb, Object.values(tables));
    dynamoDb.destroy();
  });

  it('writes every attempt, 25 per request, readable through list', async () => {
    const sent: number[] = [];
    const counting = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
    counting.middlewareStack.add(
      (next) => async (args) => {
        const input = (args.input as { RequestItems?: Record<string, unknown[]> }).RequestItems;
        if (input) sent.push(Object.values(input)[0]?.length ?? 0);
        return next(args);
      },
      { step: 'initialize', name: 'countBatchItems' },
    );
    const attempts = Array.from({ length: 60 }, (_, n) =>
      attempt('wh_many', n, n % 3 === 0 ? { outcome: 'failed', cause: 'http-5xx', statusCode: 503 } : {}),
    );
    const result = await new DeliveryLogStore(counting, tables.deliveryLog).recordBatch(attempts, 30);
    counting.destroy();

    expect(result).toEqual({ unprocessed: [] });
    expect(sent.sort((a, b) => a - b)).toEqual([10, BATCH_WRITE_LIMIT, BATCH_WRITE_LIMIT]);
    const stored = await listAll(store, 'wh_many');
    expect(stored).toHaveLength(60);
    expect(stored[0]).toEqual(attempts[59]);
    expect(stored.find((a) => a.deliveryId === 'dlv_0003')).toEqual(attempts[3]);
  });

  it('keeps one entry when the same attempt appears twice in a batch (a request may not repeat a key)', async () => {
    const first = attempt('wh_dup', 1, { durationMs: 5 });
    const again = { ...first, durationMs: 9 };
    const result = await store.recordBatch([first, again, attempt('wh_dup', 2)], 30);
    expect(result.unprocessed).toEqual([]);
    const stored = await listAll(store, 'wh_dup');
    expect(stored.map((a) => [a.deliveryId, a.durationMs])).toEqual([
      ['dlv_0002', 3],
      ['dlv_0001', 9],
    ]);
  });

  it('returns every attempt of a request that fails outright (missing table), with the error', async () => {
    const missing = new DeliveryLogStore(dynamoDb, uniqueTableName('no-such-log'));
    const attempts = [attempt('wh_x', 1), attempt('wh_x', 2)];
    const result = await missing.recordBatch(attempts, 30);
    expect(result.unprocessed).toEqual(attempts);
    expect((result.error as Error).name).toBe('ResourceNotFoundException');
  });

  it('writes nothing and sends nothing for an empty batch', async () => {
    expect(await store.recordBatch([], 30)).toEqual({ unprocessed: [] });
  });
});

// DynamoDB Local never throttles, so UnprocessedItems can only be produced with a mocked client.
describe('DeliveryLogStore.recordBatch with UnprocessedItems (mocked fault)', () => {
  const table = 'delivery-log';

  it('re-sends only the unprocessed items, with growing backoff, until all are written', async () => {
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const calls: number[] = [];
    mock.on(BatchWriteItemCommand).callsFake((input) => {
      const requests = input.RequestItems[table];
      calls.push(requests.length);
      // The first two calls leave the last two items unprocessed, as throttled partitions do.
      const unprocessed = calls.length <= 2 ? requests.slice(-2) : [];
      return { UnprocessedItems: unprocessed.length > 0 ? { [table]: unprocessed } : {} };
    });
    const sleeps: number[] = [];
    const store = new DeliveryLogStore(client, table);
    const attempts = Array.from({ length: 5 }, (_, n) => attempt('wh_t', n));
    const result = await store.recordBatch(attempts, 30, {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
      baseDelayMs: 40,
    });
    expect(result).toEqual({ unprocessed: [] });
    expect(calls).toEqual([5, 2, 2]);
    expect(sleeps).toEqual([40, 80]);
    mock.restore();
  });

  it('gives up after maxAttempts and returns exactly the entries still unprocessed', async () => {
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    mock.on(BatchWriteItemCommand).callsFake((input) => {
      const requests = input.RequestItems[table];
      return { UnprocessedItems: { [table]: requests.slice(0, 1) } };
    });
    const store = new DeliveryLogStore(client, table);
    const attempts = Array.from({ length: 3 }, (_, n) => attempt('wh_t', n));
    const result = await store.recordBatch(attempts, 30, { maxAttempts: 3, sleep: async () => undefined });
    expect(result.unprocessed).toEqual([attempts[0]]);
    expect(result.error).toBeUndefined();
    expect(mock.commandCalls(BatchWriteItemCommand)).toHaveLength(3);
    mock.restore();
  });
});
