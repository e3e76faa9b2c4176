/** Per-webhook mode, delivery side: reads the secret versions a webhook row names. */

import { inRotationWindow, type SigningSecretsReader } from '../../domain/webhooks/signingSecretStore';
import type { Webhook } from '../../domain/webhooks/webhook';
import type { SigningSecretSource } from './signingSecretCache';

/**
 * Per-webhook mode, delivery side: the versions the webhook row names, read from its own Secrets
 * Manager secret (through the version cache).
 */
export class PerWebhookSigningSecrets implements SigningSecretsReader {
  constructor(
    private readonly source: SigningSecretSource,
    private readonly options: {
      /** Told when the previous version is gone (rotated twice within the window). */
      onPreviousVersionMissing?: (webhook: Webhook) => void;
    } = {},
  ) {}

  async signingSecretsOf(webhook: Webhook, now: Date): Promise<string[]> {
    // PerWebhookSecretStore.create writes the name and the version id together.
    const { secretName } = webhook;
    if (secretName === undefined || webhook.secretVersionId === undefined) {
      throw new Error(`webhook ${webhook.id} has no per-webhook secret (it was created in envelope mode)`);
    }
    const previousVersionId = webhook.previousSecretVersionId;
    if (previousVersionId === undefined || !inRotationWindow(webhook, now)) {
      return [await this.source.get(secretName, webhook.secretVersionId)];
    }
    const [current, previous] = await Promise.all([
      this.source.get(secretName, webhook.secretVersionId),
      this.source.get(secretName, previousVersionId).catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        // The previous version was already removed (rotated twice): signing with the current one is all we can do.
        this.options.onPreviousVersionMissing?.(webhook);
        return undefined;
      }),
    ]);
    return previous === undefined || previous === current ? [current] : [current, previous];
  }
}
