import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbEndpoint, uniqueTableName } from '../helpers/emulators';

/**
 * DynamoDB's documented limits, sent to DynamoDB Local (Amazon's own implementation). Measured first:
 * DynamoDB Local enforces every one of them with DynamoDB's ValidationException, so no guard is needed
 * in front of it; these tests keep it that way (a DynamoDB Local upgrade that relaxed a rule fails here).
 * Limits: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
const KB = 1024;
let dynamo: DynamoDBClient;
const table = uniqueTableName('aws-rules');

beforeAll(async () => {
  dynamo = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
afterAll(async () => {
  await dynamo?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  dynamo?.destroy();
});

const rejection = async (call: Promise<unknown>) => {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata: { httpStatusCode: number } } | undefined;
  expect(error, 'DynamoDB Local should have rejected the call').toBeDefined();
  return { name: error!.name, message: error!.message, status: error!.$metadata.httpStatusCode };
};

const values = (n: number, prefix = 'v'): Record<string, AttributeValue> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`:${prefix}${i}`, { S: `${prefix}${i}` }]));

describe('item size: 400 KB, attribute names included (UTF-8 bytes)', () => {
  // "id" (2) + "a" (1) + "p" (1) + the value: 409,600 bytes in all.
  const item = (valueBytes: number) => ({ id: { S: 'a' }, p: { S: 'x'.repeat(valueBytes) } });

  it('accepts exactly 400 KB and rejects one byte more', async () => {
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item(400 * KB - 4) }));
    const error = await rejection(
      dynamo.send(new PutItemCommand({ TableName: table, Item: item(400 * KB - 3) })),
    );
    expect(error).toEqual({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
      status: 400,
    });
  });

  it('counts UTF-8 bytes: 102,401 four-byte emoji are over', async () => {
    const error = await rejection(
      dynamo.send(
        new PutItemCommand({ TableName: table, Item: { id: { S: 'e' }, p: { S: '🦊'.repeat(102_401) } } }),
      ),
    );
    expect(error.name).toBe('ValidationException');
  });

  it('limits nesting to 32 levels', async () => {
    let nested: AttributeValue = { S: 'leaf' };
    for (let i = 0; i < 33; i++) nested = { M: { n: nested } };
    const error = await rejection(
      dynamo.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'd' }, m: nested } })),
    );
    expect(error.message).toContain('Nesting Levels have exceeded supported limits');
  });
});

describe('BatchWriteItem: 25 requests', () => {
  const puts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { id: { S: `b${i}` } } } }));

  it('accepts 25 and rejects 26', async () => {
    await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(25) } }));
    const error = await rejection(
      dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(26) } })),
    );
    expect(error).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(error.message).toContain('Too many items requested for the BatchWriteItem call');
  });
});

describe('transactions: 100 actions, 4 MB', () => {
  const puts = (n: number, bytes = 0) =>
    Array.from({ length: n }, (_, i) => ({
      Put: {
        TableName: table,
        Item: { id: { S: `t${i}` }, ...(bytes ? { p: { S: 'x'.repeat(bytes) } } : {}) },
      },
    }));

  it('accepts 100 actions and rejects 101', async () => {
    await dynamo.send(new TransactWriteItemsCommand({ TransactItems: puts(100) }));
    const error = await rejection(dynamo.send(new TransactWriteItemsCommand({ TransactItems: puts(101) })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Member must have length less than or equal to 100');
  });

  it('rejects a transaction over 4 MB in total', async () => {
    const error = await rejection(
      dynamo.send(new TransactWriteItemsCommand({ TransactItems: puts(11, 390 * KB) })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Transaction payload size cannot exceed 4MB');
  });
});

describe('expression limits', () => {
  it('rejects an expression string over 4 KB', async () => {
    const condition = `attribute_not_exists(id) OR ${'attribute_exists(#x) AND '.repeat(200)}attribute_exists(#x)`;
    expect(Buffer.byteLength(condition)).toBeGreaterThan(4 * KB);
    const error = await rejection(
      dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: 'x1' } },
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#x': 'id' },
        }),
      ),
    );
    expect(error.message).toContain('Expression size has exceeded the maximum allowed size');
  });

  it('accepts 300 operators in a condition and rejects 301', async () => {
    // attribute_not_exists (1) + k × " OR size(#x) > :z" (3 each) [+ " OR attribute_not_exists(#x)" (2)].
    const put = (k: number, tail: boolean) =>
      dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: `ops${k}${tail}` } },
          ConditionExpression: `attribute_not_exists(#x)${' OR size(#x)>:z'.repeat(k)}${tail ? ' OR attribute_not_exists(#x)' : ''}`,
          ExpressionAttributeNames: { '#x': 'id' },
          ExpressionAttributeValues: { ':z': { N: '0' } },
        }),
      );
    await put(99, true); // 1 + 297 + 2 = 300
    const error = await rejection(put(100, false)); // 1 + 300 = 301
    expect(error.message).toContain('The expression contains too many operators; operator count: 301');
  });

  it('rejects an expression attribute name or value placeholder over 255 bytes', async () => {
    const ok = `#${'a'.repeat(254)}`;
    await dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: 'n1' } },
        ConditionExpression: `attribute_not_exists(${ok})`,
        ExpressionAttributeNames: { [ok]: 'id' },
      }),
    );
    const tooLong = `#${'a'.repeat(255)}`;
    const error = await rejection(
      dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: 'n2' } },
          ConditionExpression: `attribute_not_exists(${tooLong})`,
          ExpressionAttributeNames: { [tooLong]: 'id' },
        }),
      ),
    );
    expect(error.message).toContain('The expression attribute map contains a key that is too long');
  });

  it('accepts 100 IN operands and rejects 101', async () => {
    const scan = (n: number) =>
      dynamo.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: `id IN (${Object.keys(values(n)).join(',')})`,
          ExpressionAttributeValues: values(n),
        }),
      );
    await scan(100);
    const error = await rejection(scan(101));
    expect(error.message).toContain('The IN operator is provided with too many operands');
  });

  it('rejects substitution values over 2 MB in total', async () => {
    const big = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`:b${i}`, { S: 'x'.repeat(380 * KB) }]),
    );
    const error = await rejection(
      dynamo.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: Object.keys(big)
            .map((k) => `p = ${k}`)
            .join(' OR '),
          ExpressionAttributeValues: big,
        }),
      ),
    );
    expect(error.message).toContain('ExpressionAttributeValues exceeds max size');
  });

  it('accepts 300 operators in an UpdateExpression and rejects 301', async () => {
    // SET a0=:o+:o, a1=:o+:o, ...: each "+" is an operator ("=" is not counted, a SET value takes one "+").
    const update = (operators: number) =>
      dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: 'u' } },
          UpdateExpression: `SET ${Array.from({ length: operators }, (_, i) => `a${i}=:o+:o`).join(',')}`,
          ExpressionAttributeValues: { ':o': { N: '1' } },
        }),
      );
    await update(300);
    const error = await rejection(update(301));
    expect(error.message).toContain('too many operators');
  });
});
