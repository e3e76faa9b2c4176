import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePutRecordArgs, putRecord } from '../../../infra/cli/putRecord';
import { freePort } from '../../../infra/local/emulators/freePort';
import { createCrmTable } from '../../../infra/local/tables';
import { dynamoDbEndpoint, uniqueTableName } from '../../helpers/emulators';

const table = uniqueTableName('person');
const dynamo = new DynamoDBClient({
  endpoint: dynamoDbEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

async function run(request: Parameters<typeof putRecord>[0]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await putRecord(
    request,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(() => createCrmTable(dynamo, table, 'id'));
afterAll(() => dynamo.destroy());

describe('npm run put-record', () => {
  it('reads the table and a plain JSON record, on loopback at DYNAMODB_PORT (8000 by default)', () => {
    expect(parsePutRecordArgs(['person', '{"id":"p1"}'], {})).toEqual({
      endpoint: 'http://127.0.0.1:8000',
      table: 'person',
      item: { id: 'p1' },
    });
    expect(parsePutRecordArgs(['person', '{"id":"p1"}'], { DYNAMODB_PORT: '8123' })).toMatchObject({
      endpoint: 'http://127.0.0.1:8123',
    });
  });

  it.each([
    [['person'], {}, 'expected two arguments'],
    [['person', '{"id":'], {}, 'the record is not valid JSON'],
    [['person', '["p1"]'], {}, 'the record must be a JSON object'],
    [['person', '{"id":"p1"}'], { DYNAMODB_PORT: 'eighty' }, 'DYNAMODB_PORT: must be a port number'],
  ])('refuses %j (env %j) saying why', (argv, env, reason) => {
    expect(parsePutRecordArgs(argv, env)).toEqual({ error: expect.stringContaining(reason) });
  });

  it('writes the record as DynamoDB attributes', async () => {
    const result = await run({
      endpoint: dynamoDbEndpoint(),
      table,
      item: { id: 'p1', firstName: 'Ada', age: 36, tags: ['a'] },
    });
    expect(result).toMatchObject({ code: 0, err: '' });
    const { Item } = await dynamo.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'p1' } } }));
    expect(unmarshall(Item!)).toEqual({ id: 'p1', firstName: 'Ada', age: 36, tags: ['a'] });
  });

  it('names a table that does not exist, and says when nothing answers', async () => {
    const missing = await run({ endpoint: dynamoDbEndpoint(), table: 'no-such-table', item: { id: 'p1' } });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No table "no-such-table"');
    expect(missing.err).toContain(table);
    const closed = await run({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      table,
      item: { id: 'p1' },
    });
    expect(closed.code).toBe(1);
    expect(closed.err).toContain('start the local runtime (npm start) first');
  });
});
