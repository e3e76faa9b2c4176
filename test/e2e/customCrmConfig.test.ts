import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRuntimeProcess,
  startLocalRuntimeProcess,
  stopAndExpectNoOrphans,
} from '../helpers/e2eLocalRuntime';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';

describe('npm start with CRM_SOURCES_CONFIG_FILE (a single-table design)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-config-'));
  let runtime: LocalRuntimeProcess;
  let receiver: SignatureVerifyingReceiver;

  beforeAll(async () => {
    const configFile = join(dir, 'crm-sources.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        crmTables: [{ tableName: 'crm-records', objectAttribute: 'entityType' }],
        idAttribute: 'pk',
        // The items below carry no workspace: they belong to the local API key's workspace.
        defaultWorkspaceId: 'default',
      }),
    );
    receiver = await startSignatureVerifyingReceiver();
    runtime = await startLocalRuntimeProcess({ CRM_SOURCES_CONFIG_FILE: configFile });
  }, 90_000);

  afterAll(async () => {
    await receiver?.stop();
    if (runtime) await stopAndExpectNoOrphans(runtime);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('creates the configured table with its key and routes items by their object attribute', async () => {
    expect(runtime.output()).toContain('CRM tables: crm-records');
    const created = await runtime.api<{ secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
      operations: ['opportunity.created'],
    });
    expect(created.status).toBe(201);
    receiver.setSecrets([created.body.secret]);

    await runtime.dynamo.send(
      new PutItemCommand({
        TableName: 'crm-records',
        Item: { pk: { S: 'note-1' }, entityType: { S: 'note' } },
      }),
    );
    await runtime.dynamo.send(
      new PutItemCommand({
        TableName: 'crm-records',
        Item: { pk: { S: 'opp-1' }, entityType: { S: 'opportunity' }, amount: { N: '1000' } },
      }),
    );
    const [request] = await receiver.waitForRequests(1, 15_000);
    expect(request!.verified).toBe(true);
    const payload = JSON.parse(request!.body);
    expect(payload).toMatchObject({ event: 'opportunity.created', data: { pk: 'opp-1', amount: 1000 } });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests).toHaveLength(1);
  }, 30_000);
});
