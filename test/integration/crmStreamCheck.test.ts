import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  CreateTableCommand,
  DynamoDBClient,
  type StreamViewType,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCrmStreamCheckHandler,
  PHYSICAL_RESOURCE_ID,
} from '../../functions/crm-stream-check/buildCrmStreamCheckHandler';
import { deleteTables } from '../../infra/local/tables';
import {
  type CustomResourceResponse,
  sendCustomResourceResponse,
} from '../../shared/adapters/cloudformation/customResourceResponse';
import { describeTableStream } from '../../shared/adapters/dynamodb/describeTableStream';
import { dynamoDbEndpoint, uniqueTableName } from '../helpers/emulators';

/**
 * The custom resource's handler against DynamoDB Local (real DescribeTable answers for each stream
 * setting) and a local HTTP server standing in for CloudFormation's pre-signed response URL.
 */

interface ReceivedResponse {
  method: string;
  headers: IncomingHttpHeaders;
  body: CustomResourceResponse;
}

const dynamo = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
const received: ReceivedResponse[] = [];
let server: Server;
let responseUrl: string;
let describeCalls = 0;

const handler = buildCrmStreamCheckHandler({
  describeTableStream: (tableName) => {
    describeCalls++;
    return describeTableStream(dynamo, tableName);
  },
  sendResponse: sendCustomResourceResponse,
  logger: new Logger({ logLevel: 'SILENT' }),
});

const tables = {
  good: uniqueTableName('crm-good'),
  newImage: uniqueTableName('crm-new-image'),
  oldImage: uniqueTableName('crm-old-image'),
  keysOnly: uniqueTableName('crm-keys-only'),
  noStream: uniqueTableName('crm-no-stream'),
  disabled: uniqueTableName('crm-disabled'),
};
const streamArns: Record<string, string> = {};

async function createTable(name: string, viewType?: StreamViewType): Promise<string | undefined> {
  const { TableDescription } = await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(viewType === undefined
        ? {}
        : { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } }),
    }),
  );
  return TableDescription?.LatestStreamArn;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      received.push({ method: request.method ?? '', headers: request.headers, body: JSON.parse(text) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;

  streamArns.good = (await createTable(tables.good, 'NEW_AND_OLD_IMAGES')) as string;
  streamArns.newImage = (await createTable(tables.newImage, 'NEW_IMAGE')) as string;
  streamArns.oldImage = (await createTable(tables.oldImage, 'OLD_IMAGE')) as string;
  streamArns.keysOnly = (await createTable(tables.keysOnly, 'KEYS_ONLY')) as string;
  await createTable(tables.noStream);
  streamArns.disabled = (await createTable(tables.disabled, 'NEW_AND_OLD_IMAGES')) as string;
  await dynamo.send(
    new UpdateTableCommand({ TableName: tables.disabled, StreamSpecification: { StreamEnabled: false } }),
  );
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await deleteTables(dynamo, Object.values(tables));
});

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  checked: { TableName: string; StreamArn: string }[],
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:check',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/CrmWebhooks/1',
    RequestId: `request-${received.length}`,
    LogicalResourceId: 'CrmTableStreamCheck',
    ResourceType: 'Custom::CrmTableStreamCheck',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:check',
      Tables: checked,
    },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: PHYSICAL_RESOURCE_ID,
      OldResourceProperties: { ServiceToken: base.ServiceToken, Tables: [] },
    };
  }
  return { ...base, RequestType: 'Delete', PhysicalResourceId: PHYSICAL_RESOURCE_ID };
}

/** Runs the handler and returns the one response it sent to the response URL. */
async function check(
  requestType: 'Create' | 'Update' | 'Delete',
  checked: { TableName: string; StreamArn: string }[],
): Promise<CustomResourceResponse> {
  const before = received.length;
  const request = event(requestType, checked);
  await handler(request);
  expect(received.length).toBe(before + 1);
  const answer = received[received.length - 1] as ReceivedResponse;
  expect(answer.method).toBe('PUT');
  expect(answer.body).toMatchObject({
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    PhysicalResourceId: PHYSICAL_RESOURCE_ID,
  });
  return answer.body;
}

const entry = (key: keyof typeof tables, streamArn = streamArns[key] as string) => ({
  TableName: tables[key],
  StreamArn: streamArn,
});

describe('CRM table stream check (custom resource handler)', () => {
  it('succeeds for a table streaming NEW_AND_OLD_IMAGES to the configured ARN, on Create and Update', async () => {
    expect(await check('Create', [entry('good')])).toMatchObject({ Status: 'SUCCESS' });
    expect(await check('Update', [entry('good')])).toMatchObject({ Status: 'SUCCESS' });
  });

  it.each([
    ['newImage', /streams NEW_IMAGE, not NEW_AND_OLD_IMAGES/],
    ['oldImage', /streams OLD_IMAGE, not NEW_AND_OLD_IMAGES/],
    ['keysOnly', /streams KEYS_ONLY, not NEW_AND_OLD_IMAGES/],
  ] as const)('fails the deployment for a %s stream, naming the table and the fix', async (key, problem) => {
    const answer = await check('Create', [entry(key)]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(problem);
    expect(answer.Reason).toContain(`CRM table "${tables[key]}"`);
    expect(answer.Reason).toContain('StreamViewType=NEW_AND_OLD_IMAGES');
  });

  it('fails for a table without a stream, and for one whose stream was disabled', async () => {
    for (const key of ['noStream', 'disabled'] as const) {
      const answer = await check('Create', [entry(key, `${streamArns.good}-unused`)]);
      expect(answer.Status, key).toBe('FAILED');
      expect(answer.Reason).toContain(`CRM table "${tables[key]}" has no enabled stream`);
    }
  });

  it("fails when the configured stream ARN is not the table's latest", async () => {
    const older = (streamArns.good as string).replace(/stream\/.*$/, 'stream/2020-01-01T00:00:00.000');
    const answer = await check('Update', [entry('good', older)]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`the configured streamArn ${older} is not the table's latest stream`);
    expect(answer.Reason).toContain(streamArns.good);
  });

  it('fails for a table that does not exist', async () => {
    const answer = await check('Create', [
      { TableName: 'crm-missing-table', StreamArn: streamArns.good as string },
    ]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain('CRM table "crm-missing-table" does not exist');
  });

  it('names every bad table of the stack in one failure', async () => {
    const answer = await check('Create', [entry('good'), entry('keysOnly'), entry('noStream', 'x')]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(tables.keysOnly);
    expect(answer.Reason).toContain(tables.noStream);
    expect(answer.Reason).not.toContain(`"${tables.good}"`);
  });

  it('does nothing on Delete, even for tables that would fail: nothing was created', async () => {
    const before = describeCalls;
    expect(await check('Delete', [entry('keysOnly'), entry('noStream', 'x')])).toMatchObject({
      Status: 'SUCCESS',
    });
    expect(describeCalls).toBe(before);
  });

  it('answers FAILED, not silence, when the properties are unusable', async () => {
    const answer = await check('Create', [{ TableName: '', StreamArn: '' }]);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/Could not check the imported CRM tables: .*Tables\[0\] needs TableName/);
  });

  it('PUTs without a content type, as the pre-signed URL expects', () => {
    const last = received[received.length - 1] as ReceivedResponse;
    expect(last.headers['content-type'] ?? '').toBe('');
    expect(Number(last.headers['content-length'])).toBeGreaterThan(0);
  });
});
