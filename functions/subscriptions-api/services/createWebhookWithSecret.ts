/** Creates a webhook with its signing secret, within the workspace's webhook limit. */

import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import { WorkspaceWebhookLimitError } from '../../../shared/domain/errors';
import { normalizeOperations } from '../../../shared/domain/operations/validateOperation';
import { generateWebhookSecret } from '../../../shared/domain/signing/webhookSecret';
import type { SigningSecretStore } from '../../../shared/domain/webhooks/signingSecretStore';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import type { CreateWebhookRequest } from '../schemas';
import { customHeaderFields } from './customHeaderFields';
import { newWebhookId } from './webhookIds';

/**
 * Refused (WorkspaceWebhookLimitError) when the workspace is at its webhook limit. The count is a
 * strongly consistent read just before the write; two creates racing in the same workspace can both pass
 * it, so the limit bounds fan-out to within the number of simultaneous creates, not to the exact unit.
 *
 * Secret first, then the row: a webhook row never exists without its secret. If the row cannot be
 * written the secret is discarded again, so a failed create leaves nothing behind. The secret is the
 * caller's (imported) when given, else a new `whsec_` one.
 */
export async function createWebhookWithSecret(
  deps: {
    webhooks: Pick<WebhookStore, 'create' | 'countInWorkspace'>;
    secrets: Pick<SigningSecretStore, 'create' | 'discard' | 'sealCustomHeaders'>;
    now: () => Date;
    /** Webhooks one workspace may hold. */
    maxWebhooksPerWorkspace: number;
    /** Told when a rollback itself failed, so an operator can remove the orphaned secret. */
    onRollbackFailure: (webhookId: string, error: unknown) => void;
  },
  workspaceId: string,
  request: CreateWebhookRequest,
): Promise<{ webhook: Webhook; secret: string }> {
  if ((await deps.webhooks.countInWorkspace(workspaceId)) >= deps.maxWebhooksPerWorkspace) {
    throw new WorkspaceWebhookLimitError(deps.maxWebhooksPerWorkspace);
  }
  const id = newWebhookId();
  const headerFields =
    request.headers === undefined
      ? {}
      : await customHeaderFields(deps.secrets, workspaceId, id, request.headers);
  const secret = request.secret ?? generateWebhookSecret();
  const secretFields = await deps.secrets.create(workspaceId, id, secret);
  const at = deps.now().toISOString();
  const webhook: Webhook = {
    id,
    workspaceId,
    targetUrl: request.targetUrl,
    operations: normalizeOperations(request.operations),
    ...(request.description === undefined ? {} : { description: request.description }),
    payloadFormat: request.payloadFormat ?? 'default',
    ...(request.filter === undefined ? {} : { filter: request.filter }),
    ...(headerFields.headerNames === undefined ? {} : headerFields),
    ...(request.rateLimit === undefined ? {} : { rateLimit: request.rateLimit }),
    ...(request.maxConcurrentDeliveries === undefined
      ? {}
      : { maxConcurrentDeliveries: request.maxConcurrentDeliveries }),
    status: 'active',
    createdAt: at,
    updatedAt: at,
    ...secretFields,
    version: 1,
  };
  try {
    await deps.webhooks.create(webhook);
  } catch (error) {
    await deps.secrets.discard(secretFields).catch((rollbackError: unknown) => {
      deps.onRollbackFailure(id, rollbackError);
    });
    throw error;
  }
  return { webhook, secret };
}
