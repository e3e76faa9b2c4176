/** Deletes a webhook, then cleans up its secrets. */

import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import { WebhookNotFoundError } from '../../../shared/domain/errors';
import type { SigningSecretStore } from '../../../shared/domain/webhooks/signingSecretStore';

/**
 * Row first (conditional: a concurrent delete answers 404), then the secret store's clean-up (per-webhook
 * mode: the secret is scheduled for deletion with a recovery window). If the clean-up fails the webhook
 * is still gone: report it, do not fail the call.
 */
export async function deleteWebhook(
  deps: {
    webhooks: Pick<WebhookStore, 'delete'>;
    secrets: Pick<SigningSecretStore, 'retire'>;
    onSecretDeletionFailure: (webhookId: string, error: unknown) => void;
  },
  workspaceId: string,
  webhookId: string,
): Promise<void> {
  const deleted = await deps.webhooks.delete(workspaceId, webhookId);
  if (!deleted) throw new WebhookNotFoundError(webhookId);
  await deps.secrets.retire(deleted).catch((error: unknown) => {
    deps.onSecretDeletionFailure(webhookId, error);
  });
}
