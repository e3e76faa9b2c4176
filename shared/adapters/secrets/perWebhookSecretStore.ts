/** Per-webhook mode, API side: one Secrets Manager secret per webhook, created, rotated and deleted. */

import type { SigningSecretFields, SigningSecretStore } from '../../domain/webhooks/signingSecretStore';
import type { Webhook } from '../../domain/webhooks/webhook';
import type { WebhookSecrets } from './webhookSecrets';

/**
 * Per-webhook mode, API side: one Secrets Manager secret per webhook. Rotation puts a new version
 * (AWSCURRENT; the old one becomes AWSPREVIOUS) and the row records both version ids.
 */
export class PerWebhookSecretStore implements SigningSecretStore {
  readonly mode = 'per-webhook' as const;

  constructor(private readonly secrets: WebhookSecrets) {}

  async create(workspaceId: string, webhookId: string, secret: string): Promise<SigningSecretFields> {
    const { secretName, versionId } = await this.secrets.create(workspaceId, webhookId, secret);
    return { secretName, secretVersionId: versionId };
  }

  async rotate(webhook: Webhook, secret: string): Promise<(current: Webhook) => SigningSecretFields> {
    const { versionId } = await this.secrets.rotate(this.nameOf(webhook), secret);
    return (current) => ({
      secretVersionId: versionId,
      // The version clients were verifying with until now, even if a concurrent edit raced us.
      previousSecretVersionId:
        current.secretVersionId === versionId ? webhook.secretVersionId : current.secretVersionId,
    });
  }

  async discard(fields: SigningSecretFields): Promise<void> {
    if (fields.secretName !== undefined) await this.secrets.deleteNow(fields.secretName);
  }

  async retire(webhook: Webhook): Promise<void> {
    await this.secrets.scheduleDeletion(this.nameOf(webhook));
  }

  private nameOf(webhook: Webhook): string {
    return webhook.secretName ?? this.secrets.secretNameFor(webhook.workspaceId, webhook.id);
  }
}
