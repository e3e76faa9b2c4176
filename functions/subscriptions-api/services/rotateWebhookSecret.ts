import type { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import type { WebhookSecrets } from '../../../shared/adapters/secrets/webhookSecrets';
import { generateWebhookSecret } from '../../../shared/domain/signing/webhookSecret';
import { requireWebhook } from './requireWebhook';
import { updateWithRetry } from './updateWebhook';

/** How long deliveries keep signing with the previous secret after a rotation. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Puts a new secret version (AWSCURRENT; the old one becomes AWSPREVIOUS) and records on the webhook
 * which versions sign until when. Receivers get 24 h to switch; until then both signatures are sent.
 */
export async function rotateWebhookSecret(
  deps: { webhooks: WebhookStore; secrets: WebhookSecrets },
  workspaceId: string,
  webhookId: string,
  now: () => Date,
): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  const before = await requireWebhook(deps.webhooks, workspaceId, webhookId);
  const secret = generateWebhookSecret();
  const { versionId } = await deps.secrets.rotate(before.secretName, secret);
  const previousSecretExpiresAt = new Date(now().getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString();
  await updateWithRetry(
    deps.webhooks,
    workspaceId,
    webhookId,
    (current) => ({
      secretVersionId: versionId,
      // The version clients were verifying with until now, even if a concurrent edit raced us.
      previousSecretVersionId:
        current.secretVersionId === versionId ? before.secretVersionId : current.secretVersionId,
      previousSecretExpiresAt,
    }),
    now,
  );
  return { secret, previousSecretExpiresAt };
}
