/** Builds the signing-secret store (API) and reader (delivery) for the configured mode. */

import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type {
  SecretStoreMode,
  SigningSecretStore,
  SigningSecretsReader,
} from '../../domain/webhooks/signingSecretStore';
import type { Webhook } from '../../domain/webhooks/webhook';
import { CredentialKeyring } from './credentialKeyring';
import { EnvelopeSecretStore } from './envelopeSecretStore';
import { EnvelopeSigningSecrets } from './envelopeSigningSecrets';
import { PerWebhookSecretStore } from './perWebhookSecretStore';
import { PerWebhookSigningSecrets } from './perWebhookSigningSecrets';
import { SigningSecretCache } from './signingSecretCache';
import { WebhookSecrets } from './webhookSecrets';

export interface SecretStoreSettings {
  secretStore: SecretStoreMode;
  signingKeySecretId?: string;
  secretNamePrefix: string;
}

function keySecretIdOf(settings: SecretStoreSettings): string {
  if (settings.signingKeySecretId === undefined) throw new Error('envelope mode needs SIGNING_KEY_SECRET_ID');
  return settings.signingKeySecretId;
}

/** The management API's secret store for the configured mode. */
export function createSigningSecretStore(
  client: SecretsManagerClient,
  settings: SecretStoreSettings & { signingKeyRefreshMs?: number },
): SigningSecretStore {
  return settings.secretStore === 'envelope'
    ? new EnvelopeSecretStore(
        new CredentialKeyring(client, keySecretIdOf(settings), {
          ...(settings.signingKeyRefreshMs === undefined
            ? {}
            : { currentTtlMs: settings.signingKeyRefreshMs }),
        }),
      )
    : new PerWebhookSecretStore(new WebhookSecrets(client, settings.secretNamePrefix));
}

/** The delivery function's reader of signing secrets for the configured mode. */
export function createSigningSecretsReader(
  client: SecretsManagerClient,
  settings: SecretStoreSettings & { signingSecretCacheBytes: number },
  onPreviousVersionMissing: (webhook: Webhook) => void,
): SigningSecretsReader {
  return settings.secretStore === 'envelope'
    ? new EnvelopeSigningSecrets(new CredentialKeyring(client, keySecretIdOf(settings)), {
        maxBytes: settings.signingSecretCacheBytes,
      })
    : new PerWebhookSigningSecrets(
        new SigningSecretCache(client, { maxBytes: settings.signingSecretCacheBytes }),
        { onPreviousVersionMissing },
      );
}
