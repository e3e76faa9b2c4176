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
      /** Used for rows that name no secret (written before names were stored): `<prefix>/<ws>/<id>`. */
      secretNamePrefix: string;
      /** Told when the previous version is gone (rotated twice within the window). */
      onPreviousVersionMissing?: (webhook: Webhook) => void;
    },
  ) {}

  async signingSecretsOf(webhook: Webhook, now: Date): Promise<string[]> {
    if (webhook.secretVersionId === undefined) {
      throw new Error(`webhook ${webhook.id} has no per-webhook secret (it was created in envelope mode)`);
    }
    const secretName =
      webhook.secretName || `${this.options.secretNamePrefix}/${webhook.workspaceId}/${webhook.id}`;
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
