import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../../../../infra/local/emulators/secretsManagerLocal';
import { SigningSecretCache } from '../../../../../shared/adapters/secrets/signingSecretCache';

let local: SecretsManagerLocal;
let client: SecretsManagerClient;

beforeAll(async () => {
  local = await startSecretsManagerLocal();
  client = new SecretsManagerClient({ endpoint: local.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await local.stop();
});

const reads = () => local.requestCounts.GetSecretValue ?? 0;

async function secretWithTwoVersions(name: string) {
  const v1 = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'whsec_one' }));
  const v2 = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'whsec_two' }));
  return { v1: v1.VersionId!, v2: v2.VersionId! };
}

describe('SigningSecretCache', () => {
  it('returns each version by id and reads it from Secrets Manager once, even under concurrency', async () => {
    const { v1, v2 } = await secretWithTwoVersions('cache/a');
    const cache = new SigningSecretCache(client);
    const start = reads();

    const values = await Promise.all([
      ...Array.from({ length: 10 }, () => cache.get('cache/a', v1)),
      ...Array.from({ length: 10 }, () => cache.get('cache/a', v2)),
    ]);

    expect(new Set(values.slice(0, 10))).toEqual(new Set(['whsec_one']));
    expect(new Set(values.slice(10))).toEqual(new Set(['whsec_two']));
    expect(reads() - start).toBe(2);
    expect(await cache.get('cache/a', v1)).toBe('whsec_one');
    expect(reads() - start).toBe(2);
  });

  it('does not cache a failed read', async () => {
    const { v1 } = await secretWithTwoVersions('cache/b');
    const cache = new SigningSecretCache(client);
    local.failNext('GetSecretValue', 'EncryptionFailure');

    await expect(cache.get('cache/b', v1)).rejects.toThrow();
    expect(await cache.get('cache/b', v1)).toBe('whsec_one');
  });

  it('keeps versions without expiry and evicts the least recently used one once maxBytes is reached', async () => {
    const { v1, v2 } = await secretWithTwoVersions('cache/c');
    // Room for one entry: each counts a byte per character of key and value plus the fixed overhead.
    const cache = new SigningSecretCache(client, { maxBytes: 'cache/c'.length + 37 + 9 + 200 });
    const start = reads();

    await cache.get('cache/c', v1);
    await cache.get('cache/c', v1);
    expect(reads() - start).toBe(1);
    await cache.get('cache/c', v2);
    expect(cache.stats().entries).toBe(1);
    await cache.get('cache/c', v1);
    expect(reads() - start).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 3 });
    expect(cache.stats().bytes).toBeLessThanOrEqual('cache/c'.length + 37 + 9 + 200);
  });
});
