/** Per-webhook signing secrets by Secrets Manager version id, cached in memory. */

import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretValueCache, type SecretValueCacheStats } from './secretValueCache';

/** Reads one version of a webhook's signing secret (per-webhook mode). */
export interface SigningSecretSource {
  get(secretName: string, versionId: string): Promise<string>;
}

/**
 * Per-webhook signing secrets by Secrets Manager *version id*, cached in memory until memory is short.
 *
 * A version's content never changes, so an entry never expires: Secrets Manager traffic is one read per
 * webhook version per container, not per delivery. Rotation still takes effect within seconds: the
 * webhook row names the new version id, which is a new cache key.
 *
 * (Powertools' `SecretsProvider` keys its cache by name and transform only, not by `VersionId`, so it
 * would serve a stale version after a rotation until `maxAge` expires.)
 */
export class SigningSecretCache implements SigningSecretSource {
  private readonly cache: SecretValueCache<{ secretName: string; versionId: string }>;

  constructor(
    private readonly client: SecretsManagerClient,
    options: { maxBytes?: number } = {},
  ) {
    this.cache = new SecretValueCache(
      (_key, { secretName, versionId }) => this.fetch(secretName, versionId),
      options,
    );
  }

  get(secretName: string, versionId: string): Promise<string> {
    return this.cache.get(`${secretName}\u0000${versionId}`, { secretName, versionId });
  }

  stats(): SecretValueCacheStats {
    return this.cache.stats();
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
