import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductTables, deleteTables } from '../../../../../infra/local/tables';
import { DeadLetterIndex } from '../../../../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLimiterStore } from '../../../../../shared/adapters/dynamodb/deliveryLimiterStore';
import { DeliveryLogStore } from '../../../../../shared/adapters/dynamodb/deliveryLogStore';
import { dynamoDbEndpoint, uniqueTableName } from '../../../../helpers/emulators';

const NOW = Date.parse('2026-12-04T22:00:00.000Z');

/** A client that counts the UpdateItem calls it sends (one per write unit spent on the limiter). */
function countingClient(): { client: DynamoDBClient; updates: () => number } {
  const client = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  let updates = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand') updates += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countUpdates' },
  );
  return { client, updates: () => updates };
}

describe('DeliveryLimiterStore against DynamoDB Local', () => {
  const dynamoDb = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  const tables = {
    webhooks: uniqueTableName('limiter-webhooks'),
    apiKeys: uniqueTableName('limiter-keys'),
    deliveryLog: uniqueTableName('limiter-log'),
  };
  /** Three delivery containers: separate stores (and memories) over one table. */
  const containers = [0, 1, 2].map(() => new DeliveryLimiterStore(dynamoDb, tables.deliveryLog));
  let webhookCounter = 0;
  const newWebhookId = () => `wh_limiter${String(++webhookCounter).padStart(4, '0')}`;

  beforeAll(async () => {
    await createProductTables(dynamoDb, tables);
  });
  afterAll(async () => {
    await deleteTables(dynamoDb, Object.values(tables));
    dynamoDb.destroy();
  });

  async function limiterItem(webhookId: string, key: string) {
    const result = await dynamoDb.send(
      new GetItemCommand({
        TableName: tables.deliveryLog,
        Key: marshall({ webhookId, attemptKey: key }),
        ConsistentRead: true,
      }),
    );
    return result.Item ? unmarshall(result.Item) : undefined;
  }

  describe('rate slots', () => {
    it('gives an idle webhook one second’s worth at once, then one interval apart across containers', async () => {
      const webhookId = newWebhookId();
      expect(await containers[0]!.reserveRateSlot(webhookId, 500, NOW)).toBe(NOW);
      // A burst arriving at once on three containers: every job gets its own slot, none is lost or shared;
      // at 2/s the second one goes at once too (the burst tolerance), the rest 500 ms apart.
      const slots = await Promise.all(
        Array.from({ length: 12 }, (_, i) => containers[i % 3]!.reserveRateSlot(webhookId, 500, NOW)),
      );
      expect([...slots].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => NOW + 500 * i));
      const item = await limiterItem(webhookId, 'limiter#rate');
      expect(item?.nextFreeSlotMs).toBe(NOW + 500 * 13);
      // TTL keeps the item at least half a week past its last slot (refreshed as the backlog grows).
      expect(item?.expiresAt).toBeGreaterThanOrEqual(Math.ceil((NOW + 500 * 13) / 1000) + 3.5 * 86_400);
    });

    it('moves its TTL on as the backlog grows, so DynamoDB never removes a limiter with slots handed out', async () => {
      const webhookId = newWebhookId();
      const twoDays = 2 * 86_400_000;
      for (let i = 0; i < 4; i++) await containers[0]!.reserveRateSlot(webhookId, twoDays, NOW);
      const item = await limiterItem(webhookId, 'limiter#rate');
      expect(item?.nextFreeSlotMs).toBe(NOW + 4 * twoDays);
      expect(item?.expiresAt).toBeGreaterThanOrEqual(Math.ceil((NOW + 4 * twoDays) / 1000) + 3.5 * 86_400);
    });

    it('saves nothing up over a quiet spell beyond one second: after it, the slot is "now" again', async () => {
      const webhookId = newWebhookId();
      await containers[0]!.reserveRateSlot(webhookId, 1_000, NOW);
      await containers[1]!.reserveRateSlot(webhookId, 1_000, NOW);
      const later = NOW + 60_000;
      expect(await containers[2]!.reserveRateSlot(webhookId, 1_000, later)).toBe(later);
      expect(await containers[0]!.reserveRateSlot(webhookId, 1_000, later)).toBe(later + 1_000);
    });

    it('costs one write per job once a container has seen the backlog, two when it loses the idle race', async () => {
      const webhookId = newWebhookId();
      const { client, updates } = countingClient();
      const store = new DeliveryLimiterStore(client, tables.deliveryLog);
      await store.reserveRateSlot(webhookId, 100, NOW); // idle: one conditional SET
      expect(updates()).toBe(1);
      for (let i = 0; i < 5; i++) await store.reserveRateSlot(webhookId, 100, NOW);
      expect(updates()).toBe(6); // five ADDs

      const fresh = countingClient();
      const other = new DeliveryLimiterStore(fresh.client, tables.deliveryLog);
      // 10/s: still within the one-second burst (six slots taken), so "now".
      expect(await other.reserveRateSlot(webhookId, 100, NOW)).toBe(NOW);
      expect(fresh.updates()).toBe(2); // refused SET (it did not know the backlog), then the ADD
      client.destroy();
      fresh.client.destroy();
    });

    it('keeps its items out of the attempt listing and the dead-letter index', async () => {
      const webhookId = newWebhookId();
      await containers[0]!.reserveRateSlot(webhookId, 500, NOW);
      await containers[0]!.acquireLease(webhookId, 2, NOW, NOW + 10_000);
      expect(
        (await new DeliveryLogStore(dynamoDb, tables.deliveryLog).list(webhookId, { limit: 10 })).items,
      ).toEqual([]);
      expect(
        (await new DeadLetterIndex(dynamoDb, tables.deliveryLog).list(webhookId, { limit: 10 })).items,
      ).toEqual([]);
    });
  });

  describe('concurrency leases', () => {
    it('holds at most the cap, says when the first lease ends, and a release frees a slot', async () => {
      const webhookId = newWebhookId();
      const first = await containers[0]!.acquireLease(webhookId, 2, NOW, NOW + 15_000);
      const second = await containers[1]!.acquireLease(webhookId, 2, NOW, NOW + 12_000);
      expect(first.kind).toBe('held');
      expect(second.kind).toBe('held');
      expect(await containers[2]!.acquireLease(webhookId, 2, NOW, NOW + 15_000)).toEqual({
        kind: 'full',
        earliestExpiryMs: NOW + 12_000,
      });
      if (first.kind === 'held') await first.release();
      expect((await containers[2]!.acquireLease(webhookId, 2, NOW + 10, NOW + 15_010)).kind).toBe('held');
    });

    it('never grants more than the cap to many containers racing for it', async () => {
      const webhookId = newWebhookId();
      const stores = Array.from({ length: 6 }, () => new DeliveryLimiterStore(dynamoDb, tables.deliveryLog));
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => stores[i % 6]!.acquireLease(webhookId, 3, NOW, NOW + 20_000)),
      );
      expect(results.filter((r) => r.kind === 'held')).toHaveLength(3);
      const item = await limiterItem(webhookId, 'limiter#leases');
      expect(Object.keys(item ?? {}).filter((name) => /^l\d+$/.test(name))).toHaveLength(3);
    });

    it('does not leak a lease whose holder died: it expires and its slot is taken again', async () => {
      const webhookId = newWebhookId();
      // A container takes the only slot and dies mid-request: it never releases.
      expect((await containers[0]!.acquireLease(webhookId, 1, NOW, NOW + 15_000)).kind).toBe('held');
      expect((await containers[1]!.acquireLease(webhookId, 1, NOW + 14_999, NOW + 30_000)).kind).toBe('full');
      const after = await containers[1]!.acquireLease(webhookId, 1, NOW + 15_000, NOW + 30_000);
      expect(after.kind).toBe('held');
    });

    it('a late release of an expired lease leaves the new holder’s lease alone', async () => {
      const webhookId = newWebhookId();
      const slow = await containers[0]!.acquireLease(webhookId, 1, NOW, NOW + 1_000);
      const next = await containers[1]!.acquireLease(webhookId, 1, NOW + 2_000, NOW + 20_000);
      expect(next.kind).toBe('held');
      if (slow.kind === 'held') await slow.release(); // the slow one finally gives back "its" slot
      expect(await containers[2]!.acquireLease(webhookId, 1, NOW + 3_000, NOW + 20_000)).toEqual({
        kind: 'full',
        earliestExpiryMs: NOW + 20_000,
      });
    });
  });
});
