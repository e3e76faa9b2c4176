import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deriveCredentialKey } from '../../domain/credentials/credentialKey';
import { SecretStoreError } from './secretStoreError';

/** How long the API keeps using the key version it read as current before asking again. */
const DEFAULT_CURRENT_KEY_TTL_MS = 60_000;

export interface CredentialKeyVersion {
  version: string;
  key: Buffer;
}

/**
 * The versions of the key secret (envelope mode), read from Secrets Manager and derived into AES keys.
 *
 * - `keyFor(version)`: a version's content never changes, so each is read once and kept for the life of
 *   the container (versions are few: one per key rotation). This is all the delivery function calls.
 * - `current()`: the AWSCURRENT version, for sealing. Re-read after `currentTtlMs`, so a key rotation
 *   (a new AWSCURRENT) is used for new seals within a minute, while older versions still open by id.
 *
 * Versions are read by id (`VersionId`), which Secrets Manager serves for any version it still keeps;
 * versions without a staging label may be removed, which is why a rotation is followed by a re-wrap
 * (docs/architecture.md#signing-secrets). https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version
 */
export class CredentialKeyring {
  private readonly versions = new Map<string, Promise<Buffer>>();
  private currentEntry: { value: Promise<CredentialKeyVersion>; expiresAt: number } | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    /** Name or ARN of the key secret. */
    private readonly keySecretId: string,
    private readonly options: { currentTtlMs?: number; now?: () => number } = {},
  ) {}

  keyFor(version: string): Promise<Buffer> {
    const cached = this.versions.get(version);
    if (cached !== undefined) return cached;
    const loading = this.read({ VersionId: version }).then(({ key }) => key);
    this.remember(version, loading);
    return loading;
  }

  current(): Promise<CredentialKeyVersion> {
    const now = (this.options.now ?? Date.now)();
    if (this.currentEntry !== undefined && this.currentEntry.expiresAt > now) return this.currentEntry.value;
    const value = this.read({ VersionStage: 'AWSCURRENT' });
    const entry = { value, expiresAt: now + (this.options.currentTtlMs ?? DEFAULT_CURRENT_KEY_TTL_MS) };
    this.currentEntry = entry;
    value.then(
      ({ version, key }) => {
        if (!this.versions.has(version)) this.versions.set(version, Promise.resolve(key));
      },
      () => {
        if (this.currentEntry === entry) this.currentEntry = undefined;
      },
    );
    return value;
  }

  private remember(version: string, loading: Promise<Buffer>): void {
    this.versions.set(version, loading);
    // A failed read is not kept: the next delivery asks again.
    loading.catch(() => {
      if (this.versions.get(version) === loading) this.versions.delete(version);
    });
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
