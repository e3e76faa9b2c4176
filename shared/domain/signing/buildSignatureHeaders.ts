/** Every signature header of one attempt (Twenty and Standard Webhooks). */

import { randomNonce } from './randomNonce';
import { signStandardWebhooks } from './signStandardWebhooks';
import { type RawBody, signTwentyV1 } from './signTwentyV1';

const SIGNATURE_HEADERS = {
  twentySignature: 'X-Twenty-Webhook-Signature',
  twentyTimestamp: 'X-Twenty-Webhook-Timestamp',
  twentyNonce: 'X-Twenty-Webhook-Nonce',
  webhookId: 'webhook-id',
  webhookTimestamp: 'webhook-timestamp',
  webhookSignature: 'webhook-signature',
} as const;

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
    [SIGNATURE_HEADERS.twentySignature]: signTwentyV1({ secret: newest, timestampMs, body }),
    [SIGNATURE_HEADERS.twentyTimestamp]: String(timestampMs),
    [SIGNATURE_HEADERS.twentyNonce]: nonce,
    [SIGNATURE_HEADERS.webhookId]: deliveryId,
    [SIGNATURE_HEADERS.webhookTimestamp]: String(timestampSeconds),
    [SIGNATURE_HEADERS.webhookSignature]: signStandardWebhooks({
      secrets,
      deliveryId,
      timestampSeconds,
      body,
    }),
  };
}
