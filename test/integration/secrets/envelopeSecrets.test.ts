import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../../infra/local/emulators/secretsManagerLocal';
import { CredentialKeyring } from '../../../shared/adapters/secrets/credentialKeyring';
import { EnvelopeSecretStore } from '../../../shared/adapters/secrets/envelopeSecretStore';
import { EnvelopeSigningSecrets } from '../../../shared/adapters/secrets/envelopeSigningSecrets';
import { SecretStoreError } from '../../../shared/adapters/secrets/secretStoreError';
import { CredentialDecryptionError, keyVersionOf } from '../../../shared/domain/credentials/sealedCredential';
import { generateWebhookSecret } from '../../../shared/domain/signing';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';

let local: SecretsManagerLocal;
let client: SecretsManagerClient;
let keyCount = 0;

beforeAll(async () => {
  local = await startSecretsManagerLocal();
  client = new SecretsManagerClient({ endpoint: local.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await local.stop();
});

const reads = () => local.requestCounts.GetSecretValue ?? 0;
const keyMaterial = () => randomBytes(48).toString('base64url');

async function newKeySecret(): Promise<string> {
  const name = `keys/k${++keyCount}`;
  await client.send(new CreateSecretCommand({ Name: name, SecretString: keyMaterial() }));
  return name;
}

function webhook(id: string, fields: Partial<Webhook> = {}): Webhook {
  return {
    id,
    workspaceId: 'ws-1',
    targetUrl: 'https://example.com/hook',
    operations: ['*.*'],
    payloadFormat: 'default',
    status: 'active',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    version: 1,
    ...fields,
  };
}

/** What the API does: create, then (optionally) rotate, writing the fields the store returns. */
async function created(store: EnvelopeSecretStore, id: string, secret: string): Promise<Webhook> {
  return webhook(id, await store.create('ws-1', id, secret));
}

async function rotated(
  store: EnvelopeSecretStore,
  row: Webhook,
  secret: string,
  now: Date,
): Promise<Webhook> {
  const changesFor = await store.rotate(row, secret);
  return {
    ...row,
    ...changesFor(row),
    previousSecretExpiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  };
}

describe('envelope mode against the local Secrets Manager', () => {
  it('seals on create, opens on delivery, and reads each key version once per container', async () => {
    const keyId = await newKeySecret();
    const store = new EnvelopeSecretStore(new CredentialKeyring(client, keyId));
    const secret = generateWebhookSecret();
    const row = await created(store, 'wh_a', secret);
    expect(row.sealedSecret).toMatch(/^c1\./);
    expect(JSON.stringify(row)).not.toContain(secret);

    const reader = new EnvelopeSigningSecrets(new CredentialKeyring(client, keyId));
    const before = reads();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => reader.signingSecretsOf(row, new Date())),
    );
    expect(new Set(results.map((r) => r.join()))).toEqual(new Set([secret]));
    expect(reads() - before).toBe(1);
    for (let i = 0; i < 100; i++) await reader.signingSecretsOf(row, new Date());
    expect(reads() - before).toBe(1);
    expect(reader.stats()).toMatchObject({ entries: 1, misses: 1 });
  });

  it('rotation: both secrets newest first inside the window, the current one after it', async () => {
    const keyId = await newKeySecret();
    const store = new EnvelopeSecretStore(new CredentialKeyring(client, keyId));
    const reader = new EnvelopeSigningSecrets(new CredentialKeyring(client, keyId));
    const first = generateWebhookSecret();
    const second = generateWebhookSecret();
    const now = new Date();
    const row = await rotated(store, await created(store, 'wh_b', first), second, now);
    expect(await reader.signingSecretsOf(row, now)).toEqual([second, first]);
    expect(await reader.signingSecretsOf(row, new Date(now.getTime() + 86_400_001))).toEqual([second]);
  });

  it("refuses an envelope copied onto another webhook's row, even when the original is cached", async () => {
    const keyId = await newKeySecret();
    const store = new EnvelopeSecretStore(new CredentialKeyring(client, keyId));
    const reader = new EnvelopeSigningSecrets(new CredentialKeyring(client, keyId));
    const victim = await created(store, 'wh_victim', generateWebhookSecret());
    await reader.signingSecretsOf(victim, new Date());
    const attacker = webhook('wh_attacker', { sealedSecret: victim.sealedSecret });
    await expect(reader.signingSecretsOf(attacker, new Date())).rejects.toBeInstanceOf(
      CredentialDecryptionError,
    );
    const otherWorkspace = { ...victim, workspaceId: 'ws-2' };
    await expect(reader.signingSecretsOf(otherWorkspace, new Date())).rejects.toBeInstanceOf(
      CredentialDecryptionError,
    );
  });

  it('key rotation: new seals use the new version, envelopes of the old version still open', async () => {
    const keyId = await newKeySecret();
    const store = new EnvelopeSecretStore(new CredentialKeyring(client, keyId, { currentTtlMs: 0 }));
    const reader = new EnvelopeSigningSecrets(new CredentialKeyring(client, keyId));
    const oldSecret = generateWebhookSecret();
    const old = await created(store, 'wh_old', oldSecret);
    await reader.signingSecretsOf(old, new Date());

    const { VersionId: newVersion } = await client.send(
      new PutSecretValueCommand({ SecretId: keyId, SecretString: keyMaterial() }),
    );
    const newSecret = generateWebhookSecret();
    const fresh = await created(store, 'wh_new', newSecret);
    expect(keyVersionOf(fresh.sealedSecret as string)).toBe(newVersion);
    expect(keyVersionOf(old.sealedSecret as string)).not.toBe(newVersion);

    // A container started before the rotation reads the new version once, by id.
    const before = reads();
    expect(await reader.signingSecretsOf(fresh, new Date())).toEqual([newSecret]);
    expect(await reader.signingSecretsOf(old, new Date())).toEqual([oldSecret]);
    expect(reads() - before).toBe(1);
    // A container started after it reads the old version (now AWSPREVIOUS) by id.
    expect(
      await new EnvelopeSigningSecrets(new CredentialKeyring(client, keyId)).signingSecretsOf(
        old,
        new Date(),
      ),
    ).toEqual([oldSecret]);
  });

  it('the API re-reads the current key after its refresh time, not on every seal', async () => {
    const keyId = await newKeySecret();
    // Any start but 0: lru-cache reads a start time of 0 as "no time to live".
    let clock = 1_000_000;
    const store = new EnvelopeSecretStore(
      new CredentialKeyring(client, keyId, { currentTtlMs: 60_000, now: () => clock }),
    );
    const before = reads();
    for (let i = 0; i < 5; i++) await created(store, `wh_${i}`, generateWebhookSecret());
    clock += 60_000;
    await created(store, 'wh_at_ttl', generateWebhookSecret());
    expect(reads() - before).toBe(1);
    clock += 1;
    await created(store, 'wh_later', generateWebhookSecret());
    expect(reads() - before).toBe(2);
  });

  it('keyring: concurrent calls share one read; a failed read is not kept', async () => {
    const keyId = await newKeySecret();
    const sealer = new CredentialKeyring(client, keyId);
    const [first, second] = await Promise.all([sealer.current(), sealer.current()]);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);

    const opener = new CredentialKeyring(client, keyId);
    const before = reads();
    local.failNext('GetSecretValue', 'InternalServiceError');
    await expect(opener.keyFor(first.version)).rejects.toBeInstanceOf(SecretStoreError);
    const keys = await Promise.all([opener.keyFor(first.version), opener.keyFor(first.version)]);
    expect(keys[0]?.equals(first.key)).toBe(true);
    expect(keys[1]).toBe(keys[0]);
    expect(reads() - before).toBe(2);
  });

  it('a Secrets Manager failure is a SecretStoreError (503) and is not cached', async () => {
    const keyId = await newKeySecret();
    const store = new EnvelopeSecretStore(new CredentialKeyring(client, keyId));
    local.failNext('GetSecretValue', 'InternalServiceError');
    await expect(store.create('ws-1', 'wh_x', generateWebhookSecret())).rejects.toBeInstanceOf(
      SecretStoreError,
    );
    await expect(store.create('ws-1', 'wh_x', generateWebhookSecret())).resolves.toHaveProperty(
      'sealedSecret',
    );
  });

  it('refuses key material too short to derive a key from', async () => {
    await client.send(new CreateSecretCommand({ Name: 'keys/short', SecretString: 'too-short' }));
    const store = new EnvelopeSecretStore(new CredentialKeyring(client, 'keys/short'));
    await expect(store.create('ws-1', 'wh_y', generateWebhookSecret())).rejects.toThrow(/GetSecretValue/);
  });
});
