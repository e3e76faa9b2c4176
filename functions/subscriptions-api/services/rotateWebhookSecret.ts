/** Rotates a webhook's signing secret, keeping the previous one signing for 24 h. */

import { generateWebhookSecret } from '../../../shared/domain/signing/webhookSecret';
import type { SigningSecretStore } from '../../../shared/domain/webhooks/signingSecretStore';
import { requireWebhook } from './requireWebhook';
import { updateWithRetry, type WebhookUpdater } from './updateWebhook';

/** How long deliveries keep signing with the previous secret after a rotation. */
const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Stores a new secret (the caller's, when imported) and records on the webhook which secrets sign until
 * when. Receivers get 24 h to switch; until then both signatures are sent.
 */
export async function rotateWebhookSecret(
  deps: { webhooks: WebhookUpdater; secrets: Pick<SigningSecretStore, 'rotate'>; now: () => Date },
  workspaceId: string,
  webhookId: string,
  importedSecret?: string,
): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  const before = await requireWebhook(deps.webhooks, workspaceId, webhookId);
  const secret = importedSecret ?? generateWebhookSecret();
  const secretChangesFor = await deps.secrets.rotate(before, secret);
  const previousSecretExpiresAt = new Date(deps.now().getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString();
  await updateWithRetry(
    deps.webhooks,
    workspaceId,
    webhookId,
    (current) => ({ ...secretChangesFor(current), previousSecretExpiresAt }),
    deps.now,
  );
  return { secret, previousSecretExpiresAt };
}
