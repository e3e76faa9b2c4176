import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import type { WebhookSecrets } from '../../../shared/adapters/secrets/webhookSecrets';
import { WebhookNotFoundError } from './errors';

/**
 * Row first (conditional: a concurrent delete answers 404), then the secret, with a recovery window.
 * If scheduling the secret's deletion fails the webhook is still gone: report it, do not fail the call.
 */
export async function deleteWebhook(
  deps: {
    webhooks: WebhookStore;
    secrets: WebhookSecrets;
    onSecretDeletionFailure: (secretName: string, error: unknown) => void;
  },
  workspaceId: string,
  webhookId: string,
): Promise<void> {
  const deleted = await deps.webhooks.delete(workspaceId, webhookId);
  if (!deleted) throw new WebhookNotFoundError(webhookId);
  await deps.secrets.scheduleDeletion(deleted.secretName).catch((error: unknown) => {
    deps.onSecretDeletionFailure(deleted.secretName, error);
  });
}
