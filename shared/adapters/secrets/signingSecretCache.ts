import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads one version of a webhook's signing secret. */
export interface SigningSecretSource {
  get(secretName: string, versionId: string): Promise<string>;
}

/**
 * Signing secrets by Secrets Manager *version id*, cached in memory.
 *
 * A version's content never changes, so entries can live long (bounded by `maxEntries`, least recently
 * used evicted first) and Secrets Manager traffic is bounded by the number of distinct webhooks, not
 * by delivery volume. Rotation still takes effect within seconds: the webhook row names the new
 * version id, which is a new cache key. Concurrent misses for one key share a single request.
 *
 * (Powertools' `SecretsProvider` keys its cache by name and transform only, not by `VersionId`, so it
 * would serve a stale version after a rotation until `maxAge` expires.)
 */
export class SigningSecretCache implements SigningSecretSource {
  private readonly entries = new Map<string, { value: Promise<string>; expiresAt: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(secretName: string, versionId: string): Promise<string> {
    const key = `${secretName}\u0000${versionId}`;
    const now = (this.options.now ?? Date.now)();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.value;
    }
    const value = this.fetch(secretName, versionId);
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + (this.options.ttlMs ?? 3_600_000) });
    // A failed read is not cached: the next job retries it.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    const maxEntries = this.options.maxEntries ?? 1_000;
    while (this.entries.size > maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  private async fetch(secretName: string, versionId: string): Promise<string> {
    const result = await this.client.send(
      new GetSecretValueCommand({ SecretId: secretName, VersionId: versionId }),
    );
    if (typeof result.SecretString !== 'string' || result.SecretString.length === 0) {
      throw new Error(`secret ${secretName} version ${versionId} has no SecretString`);
    }
    return result.SecretString;
  }
}
