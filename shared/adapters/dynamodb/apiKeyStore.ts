/** Workspace API keys in DynamoDB, stored hashed: create, find the workspace of a key, revoke. */

import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { API_KEYS_TABLE_KEYS } from '../../config/tables';
import { hashApiKey } from '../../domain/credentials/hashApiKey';

export interface ApiKeyRecord {
  keyHash: string;
  workspaceId: string;
  createdAt: string;
  name?: string;
  revokedAt?: string;
}

const KEY_PREFIX = 'cwk_';

/** A new random API key: `cwk_` + 32 random bytes, base64url. Shown once; only its hash is stored. */
function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Workspace API keys, stored hashed (partition key `keyHash`). */
export class ApiKeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Stores a key for a workspace; pass `key` to register a chosen one (local runtime's WEBHOOKS_API_KEY). */
  async create(
    workspaceId: string,
    options: { key?: string; name?: string; now?: Date } = {},
  ): Promise<{ key: string; keyId: string }> {
    const key = options.key ?? generateApiKey();
    const record: ApiKeyRecord = {
      [API_KEYS_TABLE_KEYS.partitionKey]: hashApiKey(key),
      workspaceId,
      createdAt: (options.now ?? new Date()).toISOString(),
      ...(options.name === undefined ? {} : { name: options.name }),
    } as ApiKeyRecord;
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(record, { removeUndefinedValues: true }),
      }),
    );
    return { key, keyId: record.keyHash };
  }

  /** The workspace a key belongs to, or undefined for unknown or revoked keys. */
  async findWorkspace(key: string): Promise<string | undefined> {
    const result = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ [API_KEYS_TABLE_KEYS.partitionKey]: hashApiKey(key) }),
      }),
    );
    if (!result.Item) return undefined;
    const record = unmarshall(result.Item) as ApiKeyRecord;
    return record.revokedAt === undefined ? record.workspaceId : undefined;
  }

  /** Revokes by key id (the hash printed at creation) or by the key itself. False if unknown. */
  async revoke(keyIdOrKey: string, now = new Date()): Promise<boolean> {
    const keyHash = /^[0-9a-f]{64}$/.test(keyIdOrKey) ? keyIdOrKey : hashApiKey(keyIdOrKey);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ [API_KEYS_TABLE_KEYS.partitionKey]: keyHash }),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': API_KEYS_TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: marshall({ ':now': now.toISOString() }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
