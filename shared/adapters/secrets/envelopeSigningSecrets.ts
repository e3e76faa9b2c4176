/** Envelope mode, delivery side: opens a webhook row's sealed signing secrets. */

import { customHeadersContext } from '../../domain/credentials/customHeadersContext';
import { keyVersionOf, openCredential } from '../../domain/credentials/sealedCredential';
import { signingSecretContext } from '../../domain/credentials/signingSecretContext';
import { inRotationWindow, type SigningSecretsReader } from '../../domain/webhooks/signingSecretStore';
import type { Webhook } from '../../domain/webhooks/webhook';
import type { CredentialKeyring } from './credentialKeyring';
import { SecretValueCache, type SecretValueCacheStats } from './secretValueCache';

interface SealedValue {
  sealed: string;
  context: readonly string[];
}

/**
 * Envelope mode, delivery side: opens the webhook row's sealed secrets with the key version each names.
 * Keys come from the keyring (one Secrets Manager read per key version per container); opened secrets
 * are cached by (context, envelope), so a delivery costs a cache lookup. The context is part of the
 * cache key: an envelope copied onto another webhook's row misses the cache and fails authentication.
 */
export class EnvelopeSigningSecrets implements SigningSecretsReader {
  private readonly cache: SecretValueCache<SealedValue>;

  constructor(
    private readonly keyring: Pick<CredentialKeyring, 'keyFor'>,
    options: { maxBytes?: number } = {},
  ) {
    this.cache = new SecretValueCache(async (_key, { sealed, context }) => {
      const key = await this.keyring.keyFor(keyVersionOf(sealed));
      return openCredential({ sealed, key, context });
    }, options);
  }

  async signingSecretsOf(webhook: Webhook, now: Date): Promise<string[]> {
    if (webhook.sealedSecret === undefined) {
      throw new Error(`webhook ${webhook.id} has no sealed secret (it was created in per-webhook mode)`);
    }
    const context = signingSecretContext(webhook.workspaceId, webhook.id);
    const current = this.open(webhook.sealedSecret, context);
    if (webhook.sealedPreviousSecret === undefined || !inRotationWindow(webhook, now)) return [await current];
    const [newest, previous] = await Promise.all([current, this.open(webhook.sealedPreviousSecret, context)]);
    return previous === newest ? [newest] : [newest, previous];
  }

  async customHeadersOf(webhook: Webhook): Promise<Record<string, string>> {
    if (webhook.sealedHeaders === undefined) return {};
    const opened = await this.open(
      webhook.sealedHeaders,
      customHeadersContext(webhook.workspaceId, webhook.id),
    );
    return JSON.parse(opened) as Record<string, string>;
  }

  stats(): SecretValueCacheStats {
    return this.cache.stats();
  }

  private open(sealed: string, context: readonly string[]): Promise<string> {
    return this.cache.get(`${JSON.stringify(context)}\u0000${sealed}`, { sealed, context });
  }
}
