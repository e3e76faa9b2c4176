import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import type { WebhookSecrets } from '../../../shared/adapters/secrets/webhookSecrets';
import { normalizeOperations } from '../../../shared/domain/operations/validateOperation';
import { generateWebhookSecret } from '../../../shared/domain/signing/webhookSecret';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import type { CreateWebhookRequest } from '../schemas';
import { newWebhookId } from './webhookIds';

export interface CreateWebhookDeps {
  webhooks: WebhookStore;
  secrets: WebhookSecrets;
  /** Told when a rollback itself failed, so an operator can remove the orphaned secret. */
  onRollbackFailure: (secretName: string, error: unknown) => void;
}

/**
 * Secret first, then the row: a webhook row never exists without its secret. If the row cannot be
 * written the secret is deleted again, so a failed create leaves nothing behind.
 */
export async function createWebhookWithSecret(
  deps: CreateWebhookDeps,
  workspaceId: string,
  request: CreateWebhookRequest,
  now: Date,
): Promise<{ webhook: Webhook; secret: string }> {
  const id = newWebhookId();
  const secret = generateWebhookSecret();
  const { secretName, versionId } = await deps.secrets.create(workspaceId, id, secret);
  const at = now.toISOString();
  const webhook: Webhook = {
    id,
    workspaceId,
    targetUrl: request.targetUrl,
    operations: normalizeOperations(request.operations),
    ...(request.description === undefined ? {} : { description: request.description }),
    payloadFormat: request.payloadFormat ?? 'default',
    status: 'active',
    createdAt: at,
    updatedAt: at,
    secretName,
    secretVersionId: versionId,
    version: 1,
  };
  try {
    await deps.webhooks.create(webhook);
  } catch (error) {
    await deps.secrets.deleteNow(secretName).catch((rollbackError: unknown) => {
      deps.onRollbackFailure(secretName, rollbackError);
    });
    throw error;
  }
  return { webhook, secret };
}
