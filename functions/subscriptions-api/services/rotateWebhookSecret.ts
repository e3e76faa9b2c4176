import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import { generateWebhookSecret } from '../../../shared/domain/signing/webhookSecret';
import type { SigningSecretStore } from '../../../shared/domain/webhooks/signingSecretStore';
import { requireWebhook } from './requireWebhook';
import { updateWithRetry } from './updateWebhook';

/** How long deliveries keep signing with the previous secret after a rotation. */
const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Stores a new secret (the caller's, when imported) and records on the webhook which secrets sign until
 * when. Receivers get 24 h to switch; until then both signatures are sent.
 */
export async function rotateWebhookSecret(
  deps: { webhooks: WebhookStore; secrets: SigningSecretStore },
  workspaceId: string,
  webhookId: string,
  now: () => Date,
  importedSecret?: string,
): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  const before = await requireWebhook(deps.webhooks, workspaceId, webhookId);
  const secret = importedSecret ?? generateWebhookSecret();
  const secretChangesFor = await deps.secrets.rotate(before, secret);
  const previousSecretExpiresAt = new Date(now().getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString();
  await updateWithRetry(
    deps.webhooks,
    workspaceId,
    webhookId,
    (current) => ({ ...secretChangesFor(current), previousSecretExpiresAt }),
    now,
  );
  return { secret, previousSecretExpiresAt };
}
