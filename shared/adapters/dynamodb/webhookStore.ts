/** Webhooks in DynamoDB, one partition per workspace, every write conditional on the version read. */

import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { WEBHOOKS_TABLE_KEYS } from '../../config/tables';
import { WebhookConflictError } from '../../domain/errors';
import {
  CLEARABLE_HEALTH_FIELDS,
  type ClearableHealthField,
  type EndpointHealth,
} from '../../domain/health/endpointHealth';
import type { Webhook } from '../../domain/webhooks/webhook';
import type { WebhookChanges } from '../../domain/webhooks/webhookChanges';
import { decodeCursor, decodePartitionCursor, encodeCursor } from './pageCursor';

export interface WebhookPage {
  items: Webhook[];
  nextCursor: string | null;
}

const { partitionKey, sortKey } = WEBHOOKS_TABLE_KEYS;

/**
 * Webhooks in DynamoDB, one partition per workspace (`workspaceId`, `id`). Every write is conditional:
 * user edits check the `version` they read, so concurrent updates and deletes cannot resurrect or
 * corrupt a webhook.
 */
export class WebhookStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async create(webhook: Webhook): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(webhook, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(#sk)',
        ExpressionAttributeNames: { '#sk': sortKey },
      }),
    );
  }

  async get(
    workspaceId: string,
    id: string,
    options: { consistent?: boolean } = {},
  ): Promise<Webhook | undefined> {
    const result = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
        ConsistentRead: options.consistent ?? false,
      }),
    );
    return result.Item ? (unmarshall(result.Item) as Webhook) : undefined;
  }

  /** One page of a workspace's webhooks, oldest id first. */
  async list(workspaceId: string, options: { limit: number; cursor?: string }): Promise<WebhookPage> {
    const startKey = decodePartitionCursor(options.cursor, { partitionKey, sortKey }, workspaceId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :ws',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: marshall({ ':ws': workspaceId }),
        Limit: options.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (result.Items ?? []).map((item) => unmarshall(item) as Webhook);
    return { items, nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }

  /**
   * How many webhooks the workspace holds: a strongly consistent Query with `Select: COUNT` (DynamoDB
   * still reads the items, paging every 1 MB, but returns none of them).
   * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html#DDB-Query-request-Select
   */
  async countInWorkspace(workspaceId: string): Promise<number> {
    let count = 0;
    let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :ws',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: marshall({ ':ws': workspaceId }),
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      count += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /** All active webhooks of a workspace (one Query, paginated internally): what the event mapper fans out to. */
  async listActive(workspaceId: string): Promise<Webhook[]> {
    const webhooks: Webhook[] = [];
    let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :ws',
          FilterExpression: '#status = :active',
          ExpressionAttributeNames: { '#pk': partitionKey, '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':ws': workspaceId, ':active': 'active' }),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) webhooks.push(unmarshall(item) as Webhook);
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return webhooks;
  }

  /** One page of every workspace's webhooks (a Scan), for operator maintenance such as re-wrapping secrets. */
  async scanPage(cursor?: string): Promise<WebhookPage> {
    const result = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        ExclusiveStartKey: decodeCursor(cursor, [partitionKey, sortKey]),
      }),
    );
    const items = (result.Items ?? []).map((item) => unmarshall(item) as Webhook);
    return { items, nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }

  /**
   * Replaces a webhook's sealed secrets with the same secrets sealed under another key version, if the
   * row is still at `expectedVersion`. `updatedAt` is left alone: nothing a user sees has changed.
   */
  async replaceSealedSecrets(
    workspaceId: string,
    id: string,
    sealed: Pick<Webhook, 'sealedSecret' | 'sealedPreviousSecret'>,
    expectedVersion: number,
  ): Promise<void> {
    const previous = sealed.sealedPreviousSecret;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          UpdateExpression: `SET sealedSecret = :current, #version = #version + :one${previous === undefined ? '' : ', sealedPreviousSecret = :previous'}`,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: marshall(
            {
              ':current': sealed.sealedSecret,
              ':previous': previous,
              ':one': 1,
              ':expected': expectedVersion,
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new WebhookConflictError(id);
      throw error;
    }
  }

  /**
   * Applies changes if the stored `version` still equals `expectedVersion`; `undefined` values remove
   * the attribute. Returns the webhook as written.
   */
  async update(
    workspaceId: string,
    id: string,
    changes: WebhookChanges,
    expectedVersion: number,
    now: Date,
  ): Promise<Webhook> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = {
      ':expected': expectedVersion,
      ':one': 1,
      ':now': now.toISOString(),
    };
    const sets = ['#version = #version + :one', '#updatedAt = :now'];
    const removes: string[] = [];
    Object.entries(changes).forEach(([field, value], index) => {
      names[`#f${index}`] = field;
      if (value === undefined) {
        removes.push(`#f${index}`);
      } else {
        values[`:v${index}`] = value;
        sets.push(`#f${index} = :v${index}`);
      }
    });
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return unmarshall(result.Attributes!) as Webhook;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new WebhookConflictError(id);
      throw error;
    }
  }

  /** Deletes and returns the webhook, or undefined if it did not exist. */
  async delete(workspaceId: string, id: string): Promise<Webhook | undefined> {
    try {
      const result = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#sk': sortKey },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return result.Attributes ? (unmarshall(result.Attributes) as Webhook) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * A failed attempt: marks the start of the failure run (kept if already set) and counts it in
   * `consecutiveFailures`, atomically across containers. Returns the row's health after the write, so
   * the caller can decide on auto-disable and the breaker; undefined if the webhook is gone. Like every
   * health write, it leaves `version` alone: a user's concurrent PATCH must not conflict with it.
   */
  async recordFailure(
    workspaceId: string,
    id: string,
    at: Date,
  ): Promise<(EndpointHealth & { failingSince: string }) | undefined> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          UpdateExpression:
            'SET failingSince = if_not_exists(failingSince, :at) ADD consecutiveFailures :one',
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#sk': sortKey },
          ExpressionAttributeValues: marshall({ ':at': at.toISOString(), ':one': 1 }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!result.Attributes) return undefined;
      return healthOf(unmarshall(result.Attributes) as Webhook) as EndpointHealth & { failingSince: string };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Ends a failure run: removes the given health fields (by default all: failure count, breaker, probe
   * lease, slow mark). Conditional on one of them being there, so a success racing another container's
   * identical clear writes nothing twice.
   */
  async recordSuccess(
    workspaceId: string,
    id: string,
    fields: readonly ClearableHealthField[] = CLEARABLE_HEALTH_FIELDS,
  ): Promise<void> {
    if (fields.length === 0) return;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          // Fixed attribute names from CLEARABLE_HEALTH_FIELDS, none a DynamoDB reserved word.
          UpdateExpression: `REMOVE ${fields.join(', ')}`,
          ConditionExpression: fields.map((field) => `attribute_exists(${field})`).join(' OR '),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Opens (or reopens) the endpoint's breaker and releases any probe lease. */
  async openBreaker(
    workspaceId: string,
    id: string,
    breaker: { breakerOpenUntil: number; breakerOpenings: number },
  ): Promise<void> {
    await this.updateHealth(
      workspaceId,
      id,
      'SET breakerOpenUntil = :until, breakerOpenings = :openings REMOVE probeLeaseUntil',
      { ':until': breaker.breakerOpenUntil, ':openings': breaker.breakerOpenings },
    );
  }

  /** Marks the endpoint slow until `until` (epoch ms): its jobs stay out of the primary lane. */
  async markSlow(workspaceId: string, id: string, until: number): Promise<void> {
    await this.updateHealth(workspaceId, id, 'SET slowUntil = :until', { ':until': until });
  }

  /**
   * Takes the probe lease of a half-open breaker: true for exactly one caller among the containers
   * trying at once (a conditional write), until the lease expires or the breaker is reset.
   */
  async acquireProbeLease(workspaceId: string, id: string, nowMs: number, leaseMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          UpdateExpression: 'SET probeLeaseUntil = :lease',
          ConditionExpression:
            'breakerOpenUntil <= :now AND (attribute_not_exists(probeLeaseUntil) OR probeLeaseUntil <= :now)',
          ExpressionAttributeValues: marshall({ ':now': nowMs, ':lease': nowMs + leaseMs }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async updateHealth(
    workspaceId: string,
    id: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#sk': sortKey },
          ExpressionAttributeValues: marshall(values),
        }),
      );
    } catch (error) {
      // The webhook was deleted meanwhile: nothing to keep health for.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Disables an active webhook (410 Gone, or failing too long). Returns false if it was not active. */
  async disable(workspaceId: string, id: string, reason: 'gone' | 'failing', now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [partitionKey]: workspaceId, [sortKey]: id }),
          UpdateExpression:
            'SET #status = :disabled, disabledReason = :reason, updatedAt = :now, #version = #version + :one',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: marshall({
            ':disabled': 'disabled',
            ':active': 'active',
            ':reason': reason,
            ':now': now.toISOString(),
            ':one': 1,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function healthOf(webhook: Webhook): EndpointHealth & { failingSince?: string } {
  const { consecutiveFailures, breakerOpenUntil, breakerOpenings, probeLeaseUntil, slowUntil, failingSince } =
    webhook;
  return {
    ...(consecutiveFailures === undefined ? {} : { consecutiveFailures }),
    ...(breakerOpenUntil === undefined ? {} : { breakerOpenUntil }),
    ...(breakerOpenings === undefined ? {} : { breakerOpenings }),
    ...(probeLeaseUntil === undefined ? {} : { probeLeaseUntil }),
    ...(slowUntil === undefined ? {} : { slowUntil }),
    ...(failingSince === undefined ? {} : { failingSince }),
  };
}
