/** Standard Webhooks v1 signatures (`webhook-signature`). */

import { createHmac } from 'node:crypto';
import type { RawBody } from './signTwentyV1';
import { standardWebhooksKey } from './webhookSecret';

/** One Standard Webhooks v1 signature (base64, without the `v1,` prefix). */
export function standardWebhooksSignature(
  secret: string,
  deliveryId: string,
  timestampSeconds: number | string,
  body: RawBody,
): string {
  return createHmac('sha256', standardWebhooksKey(secret))
    .update(`${deliveryId}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
}

/**
 * `webhook-signature`: one `v1,<base64>` entry per active secret, space-separated, so receivers that
 * still hold the previous secret keep verifying during a rotation window.
 */
export function signStandardWebhooks({
  secrets,
  deliveryId,
  timestampSeconds,
  body,
}: {
  secrets: readonly string[];
  deliveryId: string;
  timestampSeconds: number | string;
  body: RawBody;
}): string {
  return secrets
    .map((secret) => `v1,${standardWebhooksSignature(secret, deliveryId, timestampSeconds, body)}`)
    .join(' ');
}
