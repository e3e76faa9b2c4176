/** Reads the caller's webhook, or answers 404. */

import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import { WebhookNotFoundError } from '../../../shared/domain/errors';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';

/** What reading one webhook needs of the webhook store. */
export type WebhookReader = Pick<WebhookStore, 'get'>;

/** The caller's webhook, read consistently (a client that just wrote it must see it). */
export async function requireWebhook(
  webhooks: WebhookReader,
  workspaceId: string,
  webhookId: string,
): Promise<Webhook> {
  const webhook = await webhooks.get(workspaceId, webhookId, { consistent: true });
  if (!webhook) throw new WebhookNotFoundError(webhookId);
  return webhook;
}
