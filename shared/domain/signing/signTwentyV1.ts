/** Twenty's signature (`X-Twenty-Webhook-Signature`). */

import { createHmac } from 'node:crypto';

export type RawBody = string | Uint8Array;

/**
 * `X-Twenty-Webhook-Signature`: lowercase hex HMAC-SHA256 keyed with the secret string exactly as
 * shown to the user, over `${timestampMs}:${body}` where body is the exact bytes sent.
 */
export function signTwentyV1({
  secret,
  timestampMs,
  body,
}: {
  secret: string;
  timestampMs: number | string;
  body: RawBody;
}): string {
  return createHmac('sha256', secret).update(`${timestampMs}:`).update(body).digest('hex');
}
