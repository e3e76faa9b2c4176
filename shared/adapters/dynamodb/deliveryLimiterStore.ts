/**
 * Per-webhook delivery limits in DynamoDB: rate slots and concurrency leases, taken with conditional writes.
 */

import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { LRUCache } from 'lru-cache';
import { CONCURRENCY_LEASES_KEY, DELIVERY_LOG_TABLE_KEYS, RATE_LIMITER_KEY } from '../../config/tables';
import { type LeaseSlots, pickLeaseSlot } from '../../domain/limits/concurrencyLeases';
import type { DeliveryLimiter, LeaseAcquisition } from '../../domain/limits/deliveryLimiter';
import { slotAfter } from '../../domain/limits/rateSlots';

const { partitionKey, sortKey, ttlAttribute } = DELIVERY_LOG_TABLE_KEYS;

/** Limiter items outlive the last slot or lease they hold by this much, then DynamoDB TTL removes them. */
const IDLE_RETENTION_SECONDS = 7 * 86_400;
/** Conditional writes tried per call before the caller is told the leases are full. */
const LEASE_TRIES = 3;
/** Rounds of (idle SET, ADD) before giving up; a second round only follows a TTL removal. */
const RATE_TRIES = 3;
/** Rate slots: containers remember a webhook's next free slot they last saw (least recently used out). */
const MAX_REMEMBERED_WEBHOOKS = 10_000;

/**
 * The delivery limits' shared state in DynamoDB: two small items per limited webhook in the delivery
 * log table (the webhook's partition), changed only with atomic, conditional UpdateItem calls, so every
 * delivery container sees one limiter. DynamoDB applies an UpdateItem's condition and update as one
 * atomic step ("Condition expressions", "Atomic counters":
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.AtomicCounters).
 *
 * Rate (`limiter#rate`, attribute `nextFreeSlotMs`): `reserveRateSlot` done atomically. When the limiter
 * is idle (`nextFreeSlotMs` ≤ now) one conditional SET takes the slot "now". When it is not, an ADD of one
 * interval takes the next slot (`slotAfter` the old value) whatever the concurrency: the value only ever grows, so a
 * container that saw it in the future goes straight to the ADD (one write per job); one that did not tries
 * the SET first (two writes when it loses that race).
 *
 * Concurrency (`limiter#leases`): one attribute `l<slot>` per held lease holding its expiry (epoch ms).
 * A claim is a conditional SET on a free or expired slot; a refused claim returns the item as it was
 * (ReturnValuesOnConditionCheckFailure, no extra read:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValuesOnConditionCheckFailure),
 * so the next try picks a slot that is really free. Release removes the attribute only if it still holds
 * this lease's expiry (an expired lease someone else took over is theirs).
 */
export class DeliveryLimiterStore implements DeliveryLimiter {
  /**
   * webhook id → a `nextFreeSlotMs` this container saw. It only grows, so a future one stays true; a
   * past one is ignored, and a forgotten one only costs the idle-slot try. (No ttl: the caller's clock.)
   */
  private readonly seenNextFreeSlot = new LRUCache<string, number>({ max: MAX_REMEMBERED_WEBHOOKS });

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly random: () => number = Math.random,
  ) {}

  async reserveRateSlot(webhookId: string, intervalMs: number, nowMs: number): Promise<number> {
    for (let tryNumber = 0; tryNumber < RATE_TRIES; tryNumber++) {
      const seen = this.seenNextFreeSlot.get(webhookId);
      if (tryNumber > 0 || seen === undefined || seen <= nowMs) {
        if (await this.takeIdleSlot(webhookId, intervalMs, nowMs)) {
          this.seenNextFreeSlot.set(webhookId, nowMs + intervalMs);
          return nowMs;
        }
      }
      const next = await this.takeNextSlot(webhookId, intervalMs);
      if (next !== undefined) {
        this.seenNextFreeSlot.set(webhookId, next);
        return slotAfter(next - intervalMs, nowMs, intervalMs);
      }
      // No item (never written, or removed by TTL after a long idle spell): the limiter is idle.
    }
    throw new Error(`rate limiter of webhook ${webhookId} kept changing; try again`);
  }

  async acquireLease(
    webhookId: string,
    max: number,
    nowMs: number,
    expiryMs: number,
  ): Promise<LeaseAcquisition> {
    // Before the first refusal the item is unknown: try a random slot (most of them are usually free).
    let slots: LeaseSlots = new Map();
    for (let tryNumber = 0; tryNumber < LEASE_TRIES; tryNumber++) {
      const choice = pickLeaseSlot(slots, max, nowMs, this.random);
      if (choice.kind === 'full') return choice;
      const attribute = `l${choice.slot}`;
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: this.key(webhookId, CONCURRENCY_LEASES_KEY),
            UpdateExpression: 'SET #slot = :expiry, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(#slot) OR #slot <= :now',
            ExpressionAttributeNames: { '#slot': attribute, '#ttl': ttlAttribute },
            ExpressionAttributeValues: marshall({
              ':expiry': expiryMs,
              ':now': nowMs,
              ':ttl': Math.ceil(expiryMs / 1000) + IDLE_RETENTION_SECONDS,
            }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { kind: 'held', release: () => this.releaseLease(webhookId, attribute, expiryMs) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        slots = leaseSlotsOf(error.Item);
      }
    }
    const last = pickLeaseSlot(slots, max, nowMs, this.random);
    // Lost every race for a free slot: as busy as full; the caller waits a moment and tries again.
    return last.kind === 'full' ? last : { kind: 'full', earliestExpiryMs: nowMs };
  }

  private async releaseLease(webhookId: string, attribute: string, expiryMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(webhookId, CONCURRENCY_LEASES_KEY),
          UpdateExpression: 'REMOVE #slot',
          ConditionExpression: '#slot = :expiry',
          ExpressionAttributeNames: { '#slot': attribute },
          ExpressionAttributeValues: marshall({ ':expiry': expiryMs }),
        }),
      );
    } catch (error) {
      // It expired and another delivery holds the slot now: nothing of ours to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Takes the slot "now" if the limiter is idle; false when an earlier job holds a later slot. */
  private async takeIdleSlot(webhookId: string, intervalMs: number, nowMs: number): Promise<boolean> {
    const next = nowMs + intervalMs;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(webhookId, RATE_LIMITER_KEY),
          UpdateExpression: 'SET nextFreeSlotMs = :next, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(nextFreeSlotMs) OR nextFreeSlotMs <= :now',
          ExpressionAttributeNames: { '#ttl': ttlAttribute },
          ExpressionAttributeValues: marshall({
            ':next': next,
            ':now': nowMs,
            ':ttl': Math.ceil(next / 1000) + IDLE_RETENTION_SECONDS,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Moves the next free slot on by one interval and returns the new value (the job's slot is one
   * interval before it); undefined when the item does not exist. The item's expiry follows the slot
   * when the backlog outgrows it, so TTL never removes a limiter that still has slots handed out.
   */
  private async takeNextSlot(webhookId: string, intervalMs: number): Promise<number | undefined> {
    let attributes: Record<string, unknown>;
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(webhookId, RATE_LIMITER_KEY),
          UpdateExpression: 'ADD nextFreeSlotMs :interval',
          ConditionExpression: 'attribute_exists(nextFreeSlotMs)',
          ExpressionAttributeValues: marshall({ ':interval': intervalMs }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = unmarshall(result.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    const next = Number(attributes.nextFreeSlotMs);
    const expiresAt = Number(attributes[ttlAttribute] ?? 0);
    if (expiresAt < Math.ceil(next / 1000) + IDLE_RETENTION_SECONDS / 2) {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(webhookId, RATE_LIMITER_KEY),
          UpdateExpression: 'SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': ttlAttribute },
          ExpressionAttributeValues: marshall({ ':ttl': Math.ceil(next / 1000) + IDLE_RETENTION_SECONDS }),
        }),
      );
    }
    return next;
  }

  private key(webhookId: string, itemKey: string) {
    return marshall({ [partitionKey]: webhookId, [sortKey]: itemKey });
  }
}

/** The lease slots of a lease item as DynamoDB returned it (`l<slot>` → expiry). */
function leaseSlotsOf(item: Parameters<typeof unmarshall>[0] | undefined): LeaseSlots {
  const slots = new Map<number, number>();
  if (item === undefined) return slots;
  for (const [name, value] of Object.entries(unmarshall(item))) {
    const match = /^l(\d+)$/.exec(name);
    if (match && typeof value === 'number') slots.set(Number(match[1]), value);
  }
  return slots;
}
