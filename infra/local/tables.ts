/** Creates and deletes the local tables: the product's (keys as in the stack) and CRM tables with streams. */

import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  API_KEYS_TABLE_KEYS,
  DELIVERY_LOG_TABLE_KEYS,
  WEBHOOKS_TABLE_KEYS,
} from '../../shared/config/tables';

export interface ProductTableNames {
  webhooks: string;
  apiKeys: string;
  deliveryLog: string;
}

async function createTable(
  client: DynamoDBClient,
  name: string,
  keys: { partitionKey: string; sortKey?: string },
  stream = false,
): Promise<void> {
  const attributes = [keys.partitionKey, ...(keys.sortKey ? [keys.sortKey] : [])];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributes.map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: keys.partitionKey, KeyType: 'HASH' },
        ...(keys.sortKey ? [{ AttributeName: keys.sortKey, KeyType: 'RANGE' as const }] : []),
      ],
      ...(stream
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
        : {}),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
}

/** The product's own tables, with the same keys as the CDK stack (`shared/config/tables.ts`). */
export async function createProductTables(client: DynamoDBClient, names: ProductTableNames): Promise<void> {
  // In parallel: the local runtime's start-up time is mostly table creation.
  await Promise.all([
    createTable(client, names.webhooks, WEBHOOKS_TABLE_KEYS),
    createTable(client, names.apiKeys, API_KEYS_TABLE_KEYS),
    createTable(client, names.deliveryLog, DELIVERY_LOG_TABLE_KEYS),
  ]);
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: names.deliveryLog,
      TimeToLiveSpecification: { AttributeName: DELIVERY_LOG_TABLE_KEYS.ttlAttribute, Enabled: true },
    }),
  );
}

/** A CRM table as the local runtime creates it: string key `idAttribute`, stream NEW_AND_OLD_IMAGES. */
export async function createCrmTable(
  client: DynamoDBClient,
  name: string,
  idAttribute = 'id',
): Promise<void> {
  await createTable(client, name, { partitionKey: idAttribute }, true);
}

export async function deleteTables(client: DynamoDBClient, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map((name) => client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined)),
  );
}
