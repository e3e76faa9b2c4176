/** Every signature header of one attempt (Twenty and Standard Webhooks). */

import { randomNonce } from './randomNonce';
import { signStandardWebhooks } from './signStandardWebhooks';
import { type RawBody, signTwentyV1 } from './signTwentyV1';

/**
 * Every signature header of one attempt. `secrets` are newest first: the Twenty header is signed
 * with the newest only; Standard Webhooks gets one signature per secret.
 */
export function buildSignatureHeaders({
  secrets,
  deliveryId,
  body,
  now,
  nonce = randomNonce(),
}: {
  secrets: readonly string[];
  deliveryId: string;
  body: RawBody;
  now: Date;
  nonce?: string;
}): Record<string, string> {
  const newest = secrets[0];
  if (newest === undefined) throw new Error('at least one signing secret is required');
  const timestampMs = now.getTime();
  const timestampSeconds = Math.floor(timestampMs / 1000);
  return {
    'X-Twenty-Webhook-Signature': signTwentyV1({ secret: newest, timestampMs, body }),
    'X-Twenty-Webhook-Timestamp': String(timestampMs),
    'X-Twenty-Webhook-Nonce': nonce,
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signStandardWebhooks({
      secrets,
      deliveryId,
      timestampSeconds,
      body,
    }),
  };
}
