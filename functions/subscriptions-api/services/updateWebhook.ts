/** Updates a webhook under optimistic locking, retrying on a concurrent change. */

import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import { WebhookConflictError } from '../../../shared/domain/errors';
import type { SigningSecretStore } from '../../../shared/domain/webhooks/signingSecretStore';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import type { WebhookChanges } from '../../../shared/domain/webhooks/webhookChanges';
import type { UpdateWebhookRequest } from '../schemas';
import { customHeaderFields } from './customHeaderFields';
import { requireWebhook, type WebhookReader } from './requireWebhook';

/** What changing a webhook needs of the webhook store: a consistent read and the conditional write. */
export type WebhookUpdater = WebhookReader & Pick<WebhookStore, 'update'>;

/** Optimistic-lock attempts before answering 409: concurrent edits of one webhook are rare. */
const UPDATE_ATTEMPTS = 3;

/** What a PATCH changes on a webhook as it is now. */
function changesFor(request: UpdateWebhookRequest): WebhookChanges {
  const changes: WebhookChanges = {};
  if (request.targetUrl !== undefined) changes.targetUrl = request.targetUrl;
  if (request.operations !== undefined) changes.operations = request.operations;
  if (request.description !== undefined) changes.description = request.description ?? undefined;
  if (request.payloadFormat !== undefined) changes.payloadFormat = request.payloadFormat;
  if (request.filter !== undefined) changes.filter = request.filter ?? undefined;
  if (request.rateLimit !== undefined) changes.rateLimit = request.rateLimit ?? undefined;
  if (request.maxConcurrentDeliveries !== undefined) {
    changes.maxConcurrentDeliveries = request.maxConcurrentDeliveries ?? undefined;
  }
  if (request.status === 'active') {
    // Re-enabling starts afresh: a webhook disabled for failing must not be disabled again at once.
    Object.assign(changes, { status: 'active', disabledReason: undefined, failingSince: undefined });
  } else if (request.status === 'disabled') {
    Object.assign(changes, { status: 'disabled', disabledReason: 'user' });
  }
  return changes;
}

/**
 * Applies `compute(current)` with the optimistic `version` check, re-reading on a conflict. Throws
 * WebhookNotFoundError when the webhook is (or becomes) absent, WebhookConflictError when it keeps
 * changing underneath.
 */
export async function updateWithRetry(
  webhooks: WebhookUpdater,
  workspaceId: string,
  webhookId: string,
  compute: (current: Webhook) => WebhookChanges,
  now: () => Date,
): Promise<Webhook> {
  for (let attempt = 1; ; attempt++) {
    const current = await requireWebhook(webhooks, workspaceId, webhookId);
    try {
      return await webhooks.update(workspaceId, webhookId, compute(current), current.version, now());
    } catch (error) {
      if (!(error instanceof WebhookConflictError) || attempt >= UPDATE_ATTEMPTS) throw error;
    }
  }
}

export async function updateWebhook(
  deps: {
    webhooks: WebhookUpdater;
    secrets: Pick<SigningSecretStore, 'sealCustomHeaders'>;
    now: () => Date;
  },
  workspaceId: string,
  webhookId: string,
  request: UpdateWebhookRequest,
): Promise<Webhook> {
  // Sealed once, before the optimistic-lock loop: the envelope depends only on the webhook's key.
  const headerChanges =
    request.headers === undefined
      ? {}
      : await customHeaderFields(deps.secrets, workspaceId, webhookId, request.headers ?? {});
  return updateWithRetry(
    deps.webhooks,
    workspaceId,
    webhookId,
    () => ({ ...changesFor(request), ...headerChanges }),
    deps.now,
  );
}
