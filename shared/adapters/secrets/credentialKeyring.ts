/** The key secret's versions (envelope mode), read from Secrets Manager and derived into AES keys. */

import type { KeyObject } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LRUCache } from 'lru-cache';
import { deriveCredentialKey } from '../../domain/credentials/credentialKey';
import { SecretStoreError } from './secretStoreError';

/** How long the API keeps using the key version it read as current before asking again. */
const DEFAULT_CURRENT_KEY_TTL_MS = 60_000;
/** Far more than a container ever meets (one version per key rotation); only bounds odd input. */
const MAX_KEY_VERSIONS = 100;

/** Frozen, and its key is a KeyObject (immutable): the keyring's caches share it. */
export interface CredentialKeyVersion {
  readonly version: string;
  readonly key: KeyObject;
}

/**
 * The versions of the key secret (envelope mode), read from Secrets Manager and derived into AES keys.
 *
 * - `keyFor(version)`: a version's content never changes, so each is read once and kept for the life of
 *   the container (versions are few: one per key rotation). This is all the delivery function calls.
 * - `current()`: the AWSCURRENT version, for sealing. Re-read `currentTtlMs` after the last answer (0:
 *   on every call), so a key rotation (a new AWSCURRENT) is used for new seals within a minute, while
 *   older versions still open by id.
 *
 * Both are lru-cache caches (https://github.com/isaacs/node-lru-cache#fetch): concurrent calls share one
 * read, and a failed read is not kept (the next call asks again).
 *
 * Versions are read by id (`VersionId`), which Secrets Manager serves for any version it still keeps;
 * versions without a staging label may be removed, which is why a rotation is followed by a re-wrap
 * (docs/architecture.md#signing-secrets). https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version
 */
export class CredentialKeyring {
  /** Version id → key: kept for the life of the container (lru-cache; shares reads, keeps no failure). */
  private readonly versions: LRUCache<string, KeyObject>;
  /** The AWSCURRENT version, under one key; undefined when `currentTtlMs` is 0 (read on every seal). */
  private readonly currentVersion: LRUCache<'current', CredentialKeyVersion> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    /** Name or ARN of the key secret. */
    private readonly keySecretId: string,
    options: { currentTtlMs?: number; now?: () => number } = {},
  ) {
    this.versions = new LRUCache<string, KeyObject>({
      max: MAX_KEY_VERSIONS,
      // `readCurrent` may put a version whose read by id is in flight: that read still answers its callers.
      ignoreFetchAbort: true,
      fetchMethod: async (version) => (await this.read({ VersionId: version })).key,
    });
    const currentTtlMs = options.currentTtlMs ?? DEFAULT_CURRENT_KEY_TTL_MS;
    this.currentVersion =
      currentTtlMs <= 0
        ? undefined
        : new LRUCache<'current', CredentialKeyVersion>({
            max: 1,
            ttl: currentTtlMs,
            // Exact expiry against the clock (lru-cache would reuse a reading for up to 1 ms).
            ttlResolution: 0,
            ...(options.now === undefined ? {} : { perf: { now: options.now } }),
            fetchMethod: () => this.readCurrent(),
          });
  }

  keyFor(version: string): Promise<KeyObject> {
    return this.versions.forceFetch(version);
  }

  current(): Promise<CredentialKeyVersion> {
    return this.currentVersion === undefined ? this.readCurrent() : this.currentVersion.forceFetch('current');
  }

  private async readCurrent(): Promise<CredentialKeyVersion> {
    const current = Object.freeze(await this.read({ VersionStage: 'AWSCURRENT' }));
    // Its key opens envelopes sealed under it too: no second read by id.
    if (!this.versions.has(current.version)) this.versions.set(current.version, current.key);
    return current;
  }

  private async read(
    selector: { VersionId: string } | { VersionStage: 'AWSCURRENT' },
  ): Promise<CredentialKeyVersion> {
    let result: { VersionId?: string; SecretString?: string };
    try {
      result = await this.client.send(new GetSecretValueCommand({ SecretId: this.keySecretId, ...selector }));
    } catch (error) {
      throw new SecretStoreError('GetSecretValue', error);
    }
    if (typeof result.SecretString !== 'string' || result.VersionId === undefined) {
      throw new SecretStoreError('GetSecretValue', new Error('the key secret has no SecretString'));
    }
    try {
      return { version: result.VersionId, key: deriveCredentialKey(result.SecretString) };
    } catch (error) {
      throw new SecretStoreError('GetSecretValue', error);
    }
  }
}
