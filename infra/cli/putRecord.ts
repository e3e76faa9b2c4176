/**
 * Writes one CRM record to the local runtime's DynamoDB Local, for people without the AWS CLI:
 *   npm run put-record -- <table> '<record as plain JSON>'
 * It only ever talks to loopback (DYNAMODB_PORT, default 8000, as `npm start`), with dummy credentials:
 * it cannot write to a real AWS account, whatever the shell's AWS settings.
 */

import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const USAGE = `Usage: npm run put-record -- <table> '<record as JSON>'
  e.g. npm run put-record -- person '{"id":"p1","firstName":"Ada"}'
Writes to the local runtime's DynamoDB Local on 127.0.0.1:$DYNAMODB_PORT (default 8000).`;

export interface PutRecordRequest {
  endpoint: string;
  table: string;
  item: Record<string, unknown>;
}

/** Reads the arguments; returns what to write or a one-line reason why not. */
export function parsePutRecordArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): PutRecordRequest | { error: string } {
  const port = env.DYNAMODB_PORT || '8000';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) {
    return { error: `DYNAMODB_PORT: must be a port number from 1 to 65535 (got "${port}")` };
  }
  if (argv.length !== 2) return { error: 'expected two arguments: the table and the record' };
  const [table, json] = argv as [string, string];
  let item: unknown;
  try {
    item = JSON.parse(json);
  } catch (error) {
    return { error: `the record is not valid JSON (${(error as Error).message})` };
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { error: 'the record must be a JSON object, e.g. {"id":"p1","firstName":"Ada"}' };
  }
  return { endpoint: `http://127.0.0.1:${port}`, table, item: item as Record<string, unknown> };
}

/** Writes the record; returns the process exit code. */
export async function putRecord(
  request: PutRecordRequest,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: request.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await client.send(
      new PutItemCommand({
        TableName: request.table,
        Item: marshall(request.item, { removeUndefinedValues: true }),
      }),
    );
    out(`put ${request.table} ${JSON.stringify(request.item)}`);
    return 0;
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'ResourceNotFoundException') {
      const tables = await client.send(new ListTablesCommand({})).then(
        (r) => r.TableNames?.join(', ') ?? '',
        () => '?',
      );
      err(`No table "${request.table}" on ${request.endpoint} (its tables: ${tables}).`);
    } else if (/ECONNREFUSED|connect/i.test(`${name} ${message}`)) {
      err(
        `Nothing answers on ${request.endpoint}: start the local runtime (npm start) first, with the same DYNAMODB_PORT.`,
      );
    } else {
      err(`DynamoDB refused the record: ${name}: ${message}`);
    }
    return 1;
  } finally {
    client.destroy();
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const parsed = parsePutRecordArgs(process.argv.slice(2), process.env);
  if ('error' in parsed) {
    console.error(`${parsed.error}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await putRecord(
    parsed,
    (line) => console.log(line),
    (line) => console.error(line),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
