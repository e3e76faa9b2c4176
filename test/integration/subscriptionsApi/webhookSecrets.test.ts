import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSubscriptionsApiHandler } from '../../../functions/subscriptions-api/buildSubscriptionsApiHandler';
import { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import { PerWebhookSecretStore } from '../../../shared/adapters/secrets/perWebhookSecretStore';
import { WebhookSecrets } from '../../../shared/adapters/secrets/webhookSecrets';
import { apiGatewayEvent, apiResponse, lambdaContext } from '../../helpers/apiGatewayEvents';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from './apiHarness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ secretStore: 'per-webhook' });
});

afterAll(async () => {
  await api.stop();
});

async function createWebhook() {
  const response = await api.call({
    apiKey: api.keyA,
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/hooks' },
  });
  expect(response.status).toBe(201);
  return response.json as { id: string; secret: string };
}

async function secretAtStage(secretName: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS') {
  return api.secretsClient.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: stage }));
}

async function webhookCount(workspaceId: string): Promise<number> {
  return (await api.webhookStore.list(workspaceId, { limit: 100 })).items.length;
}

/** The real adapter, remembering which secrets it created (the names hold random webhook ids). */
class RecordingWebhookSecrets extends WebhookSecrets {
  readonly created: string[] = [];
  override async create(workspaceId: string, webhookId: string, secret: string) {
    const result = await super.create(workspaceId, webhookId, secret);
    this.created.push(result.secretName);
    return result;
  }
}

describe('secret lifecycle', () => {
  it('stores the create-time secret as AWSCURRENT under <prefix>/<workspace>/<webhook>', async () => {
    const created = await createWebhook();
    const current = await secretAtStage(`crm-webhooks/${WORKSPACE_A}/${created.id}`, 'AWSCURRENT');
    expect(current.SecretString).toBe(created.secret);
    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored?.secretVersionId).toBe(current.VersionId);
  });

  it('rotation returns a new secret and keeps the previous one as AWSPREVIOUS for 24 h', async () => {
    const created = await createWebhook();
    const secretName = `crm-webhooks/${WORKSPACE_A}/${created.id}`;
    const before = Date.now();
    const response = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: `/webhooks/${created.id}/rotate-secret`,
    });
    expect(response.status).toBe(200);
    const { secret, previousSecretExpiresAt } = response.json;
    expect(Object.keys(response.json).sort()).toEqual(['previousSecretExpiresAt', 'secret']);
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.secret);
    const expiresIn = Date.parse(previousSecretExpiresAt) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(24 * 3600 * 1000 - 1000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3600 * 1000 + 5000);

    const current = await secretAtStage(secretName, 'AWSCURRENT');
    const previous = await secretAtStage(secretName, 'AWSPREVIOUS');
    expect(current.SecretString).toBe(secret);
    expect(previous.SecretString).toBe(created.secret);

    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored).toMatchObject({
      secretVersionId: current.VersionId,
      previousSecretVersionId: previous.VersionId,
      previousSecretExpiresAt,
    });
    const view = await api.call({ apiKey: api.keyA, method: 'GET', path: `/webhooks/${created.id}` });
    expect(view.json.previousSecretExpiresAt).toBe(previousSecretExpiresAt);
    expect(view.rawBody).not.toContain(secret);
    expect(view.rawBody).not.toContain(created.secret);
  });

  it('a second rotation makes the first rotated secret the previous one', async () => {
    const created = await createWebhook();
    const path = `/webhooks/${created.id}/rotate-secret`;
    const first = await api.call({ apiKey: api.keyA, method: 'POST', path });
    const second = await api.call({ apiKey: api.keyA, method: 'POST', path });
    const secretName = `crm-webhooks/${WORKSPACE_A}/${created.id}`;
    expect((await secretAtStage(secretName, 'AWSCURRENT')).SecretString).toBe(second.json.secret);
    const previous = await secretAtStage(secretName, 'AWSPREVIOUS');
    expect(previous.SecretString).toBe(first.json.secret);
    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored?.previousSecretVersionId).toBe(previous.VersionId);
  });

  it('a Secrets Manager failure during rotation answers 503 and changes nothing', async () => {
    const created = await createWebhook();
    const before = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    api.secretsLocal.failNext('PutSecretValue', 'EncryptionFailure');
    const response = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: `/webhooks/${created.id}/rotate-secret`,
    });
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.rawBody).not.toMatch(/EncryptionFailure|stack|at .*\.ts/);
    expect(await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true })).toEqual(before);
    const current = await secretAtStage(`crm-webhooks/${WORKSPACE_A}/${created.id}`, 'AWSCURRENT');
    expect(current.SecretString).toBe(created.secret);
  });
});

describe('delete', () => {
  it('schedules the secret for deletion with a 7-day recovery window', async () => {
    const created = await createWebhook();
    const response = await api.call({ apiKey: api.keyA, method: 'DELETE', path: `/webhooks/${created.id}` });
    expect(response.status).toBe(204);
    const described = await api.secretsClient.send(
      new DescribeSecretCommand({ SecretId: `crm-webhooks/${WORKSPACE_A}/${created.id}` }),
    );
    expect(described.DeletedDate).toBeInstanceOf(Date);
    const days = (described.DeletedDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
  });
});

describe('create failures leave nothing behind', () => {
  it('Secrets Manager failing: 503, no webhook row, no secret', async () => {
    const rowsBefore = await webhookCount(WORKSPACE_A);
    const secretsBefore = api.secretsLocal.allSecretStrings().length;
    const createCallsBefore = api.secretsLocal.requestCounts.CreateSecret ?? 0;
    api.secretsLocal.failNext('CreateSecret', 'EncryptionFailure');
    const response = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/hooks' },
    });
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.json).toMatchObject({ status: 503, title: 'Service unavailable' });
    expect(response.rawBody).not.toContain('EncryptionFailure');
    expect(api.secretsLocal.requestCounts.CreateSecret).toBe(createCallsBefore + 1);
    expect(api.secretsLocal.allSecretStrings()).toHaveLength(secretsBefore);
    expect(await webhookCount(WORKSPACE_A)).toBe(rowsBefore);
  });

  it('DynamoDB failing after the secret was made: 500 without internals, secret deleted', async () => {
    const secrets = new RecordingWebhookSecrets(api.secretsClient, 'crm-webhooks');
    // A table that does not exist: the row write fails for real, after CreateSecret succeeded. (The
    // workspace's webhook count, read before anything, comes from the real table.)
    const realTable = new WebhookStore(api.dynamo, api.tables.webhooks);
    const missingTable = new WebhookStore(api.dynamo, `missing-${api.tables.webhooks}`);
    missingTable.countInWorkspace = (workspaceId) => realTable.countInWorkspace(workspaceId);
    const handler = buildSubscriptionsApiHandler(api.config, {
      ...api.dependencies,
      webhooks: missingTable,
      secrets: new PerWebhookSecretStore(secrets),
    });
    const result = apiResponse(
      await handler(
        apiGatewayEvent({
          method: 'POST',
          path: '/webhooks',
          apiKey: api.keyA,
          body: { targetUrl: 'https://example.com/hooks' },
        }),
        lambdaContext(),
      ),
    );
    expect(result.status).toBe(500);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.json).toMatchObject({ status: 500, title: 'Internal server error' });
    expect(result.rawBody).not.toMatch(/ResourceNotFound|missing-|dynamodb/i);
    expect(secrets.created).toHaveLength(1);
    await expect(
      api.secretsClient.send(new DescribeSecretCommand({ SecretId: secrets.created[0] })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
