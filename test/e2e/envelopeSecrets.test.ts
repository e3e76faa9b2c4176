import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators/freePort';
import { LOCAL_TABLE_NAMES } from '../../infra/local/localNames';
import { LOCAL_SIGNING_KEY_SECRET_NAME } from '../../infra/local/signingKeySecret';
import { keyVersionOf } from '../../shared/domain/credentials/sealedCredential';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import {
  type LocalRuntimeProcess,
  runRepoScript,
  startLocalRuntimeProcess,
  stopAndExpectNoOrphans,
} from '../helpers/e2eLocalRuntime';
import {
  type ReceivedRequest,
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';

const WEBHOOKS = 50;

/** `X-Twenty-Webhook-Signature` checked as Twenty's receivers do: HMAC keyed with the secret string as given. */
function twentyValid(request: ReceivedRequest, secret: string): boolean {
  const timestamp = String(request.headers['x-twenty-webhook-timestamp']);
  const expected = createHmac('sha256', secret).update(`${timestamp}:${request.body}`).digest();
  const received = Buffer.from(String(request.headers['x-twenty-webhook-signature']), 'hex');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** Standard Webhooks checked by its reference library (throws when no signature matches). */
function standardValid(request: ReceivedRequest, secret: string): boolean {
  try {
    new StandardWebhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

describe('npm start, envelope mode: 50 webhooks, one secret in Secrets Manager, every delivery verifies', () => {
  let runtime: LocalRuntimeProcess;
  let receiver: SignatureVerifyingReceiver;
  let secretsManager: SecretsManagerClient;
  let secretsManagerEndpoint: string;
  /** The secret each webhook's receiver holds (by webhook id). */
  const secretOf = new Map<string, string>();
  let recordCount = 0;

  beforeAll(async () => {
    const secretsManagerPort = await freePort();
    runtime = await startLocalRuntimeProcess({ SECRETS_MANAGER_PORT: String(secretsManagerPort) });
    secretsManagerEndpoint = `http://127.0.0.1:${secretsManagerPort}`;
    secretsManager = new SecretsManagerClient({
      endpoint: secretsManagerEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
    });
    receiver = await startSignatureVerifyingReceiver();
  }, 90_000);

  afterAll(async () => {
    secretsManager?.destroy();
    await receiver?.stop();
    if (runtime) await stopAndExpectNoOrphans(runtime);
  }, 30_000);

  async function secretNames(): Promise<string[]> {
    const listed = await secretsManager.send(new ListSecretsCommand({}));
    return (listed.SecretList ?? []).map((s) => s.Name as string);
  }

  async function webhookRows(): Promise<Webhook[]> {
    const scanned = await runtime.dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE_NAMES.webhooks }));
    return (scanned.Items ?? []).map((item) => unmarshall(item) as Webhook);
  }

  /** Writes one person and waits for a delivery to every webhook; checks each with its secret(s). */
  async function deliverToAll(check: (request: ReceivedRequest, webhookId: string) => void): Promise<void> {
    const before = receiver.requests.length;
    const id = `envelope-${++recordCount}`;
    await runtime.dynamo.send(
      new PutItemCommand({ TableName: 'person', Item: { id: { S: id }, firstName: { S: 'Grace' } } }),
    );
    await receiver.waitForRequests(before + secretOf.size, 60_000);
    const fresh = receiver.requests.slice(before);
    expect(fresh).toHaveLength(secretOf.size);
    const seen = new Set<string>();
    for (const request of fresh) {
      const payload = JSON.parse(request.body) as { webhookId: string; data: { id: string } };
      expect(payload.data.id).toBe(id);
      seen.add(payload.webhookId);
      check(request, payload.webhookId);
    }
    expect(seen).toEqual(new Set(secretOf.keys()));
  }

  function verifiesWithItsSecret(request: ReceivedRequest, webhookId: string): void {
    const secret = secretOf.get(webhookId) as string;
    expect(twentyValid(request, secret), `Twenty signature of ${webhookId}`).toBe(true);
    expect(standardValid(request, secret), `Standard Webhooks signature of ${webhookId}`).toBe(true);
  }

  it('creates 50 webhooks while Secrets Manager holds exactly one secret, the key', async () => {
    for (let i = 0; i < WEBHOOKS; i++) {
      const created = await runtime.api<{ id: string; secret: string }>('POST', '/webhooks', {
        targetUrl: `${receiver.url}/hooks/${i}`,
        operations: ['person.created'],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      secretOf.set(created.body.id, created.body.secret);
    }
    expect(await secretNames()).toEqual([LOCAL_SIGNING_KEY_SECRET_NAME]);
    const rows = await webhookRows();
    expect(rows).toHaveLength(WEBHOOKS);
    for (const row of rows) {
      expect(row.sealedSecret).toMatch(/^c1\./);
      expect(JSON.stringify(row)).not.toContain(secretOf.get(row.id));
    }
  }, 60_000);

  it('every delivery verifies with the standardwebhooks library and the Twenty HMAC', async () => {
    await deliverToAll(verifiesWithItsSecret);
  }, 90_000);

  it('after a key rotation, old and new webhooks verify; a re-wrap moves every row to the new key', async () => {
    const [oldVersion] = new Set(
      (await webhookRows()).map((row) => keyVersionOf(row.sealedSecret as string)),
    );
    const rotated = await secretsManager.send(
      new PutSecretValueCommand({
        SecretId: LOCAL_SIGNING_KEY_SECRET_NAME,
        SecretString: randomBytes(48).toString('base64url'),
      }),
    );
    expect(rotated.VersionId).not.toBe(oldVersion);

    // A webhook created after the rotation is sealed under the new version, the others stay as they were.
    const created = await runtime.api<{ id: string; secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hooks/new`,
      operations: ['person.created'],
    });
    expect(created.status).toBe(201);
    secretOf.set(created.body.id, created.body.secret);
    const newRow = (await webhookRows()).find((row) => row.id === created.body.id) as Webhook;
    expect(keyVersionOf(newRow.sealedSecret as string)).toBe(rotated.VersionId);
    await deliverToAll(verifiesWithItsSecret);

    const rewrap = await runRepoScript('infra/cli/rewrapSecrets.ts', {
      WEBHOOKS_TABLE: LOCAL_TABLE_NAMES.webhooks,
      SIGNING_KEY_SECRET_ID: LOCAL_SIGNING_KEY_SECRET_NAME,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'e2e',
      AWS_SECRET_ACCESS_KEY: 'e2e',
      AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamoDbEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerEndpoint,
    });
    expect(rewrap.code, rewrap.output).toBe(0);
    expect(rewrap.output).toContain(`Scanned ${WEBHOOKS + 1} webhooks: ${WEBHOOKS} re-wrapped`);
    const versions = new Set((await webhookRows()).map((row) => keyVersionOf(row.sealedSecret as string)));
    expect(versions).toEqual(new Set([rotated.VersionId]));
    for (const secret of secretOf.values()) expect(rewrap.output).not.toContain(secret);

    await deliverToAll(verifiesWithItsSecret);
    expect(await secretNames()).toEqual([LOCAL_SIGNING_KEY_SECRET_NAME]);
  }, 180_000);

  it('a secret rotation signs with both secrets for 24 h; the previous one is sealed on the row too', async () => {
    const [webhookId, oldSecret] = [...secretOf.entries()][0] as [string, string];
    const rotated = await runtime.api<{ secret: string; previousSecretExpiresAt: string }>(
      'POST',
      `/webhooks/${webhookId}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret;
    secretOf.set(webhookId, newSecret);
    await deliverToAll((request, id) => {
      verifiesWithItsSecret(request, id);
      if (id !== webhookId) return;
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(standardValid(request, oldSecret)).toBe(true);
      expect(twentyValid(request, oldSecret)).toBe(false);
    });
    expect(await secretNames()).toEqual([LOCAL_SIGNING_KEY_SECRET_NAME]);
  }, 90_000);

  it('a webhook created with a Twenty 64-hex secret verifies with that exact secret in both schemes', async () => {
    const secret = randomBytes(32).toString('hex');
    const created = await runtime.api<{ id: string; secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hooks/imported`,
      operations: ['person.created'],
      secret,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toBe(secret);
    secretOf.set(created.body.id, secret);
    await deliverToAll(verifiesWithItsSecret);
    expect(await secretNames()).toEqual([LOCAL_SIGNING_KEY_SECRET_NAME]);
  }, 90_000);
});
