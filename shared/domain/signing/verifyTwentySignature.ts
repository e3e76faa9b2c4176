/** Receiver-side check of Twenty's `X-Twenty-Webhook-Signature`. */

import { constantTimeEqual } from './constantTimeEqual';
import { type RawBody, signTwentyV1 } from './signTwentyV1';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Receiver side of `X-Twenty-Webhook-Signature`. `body` must be the raw request body exactly as
 * received (never a re-serialized object). Rejects timestamps more than `toleranceSeconds` away from
 * `now` in either direction (replays and badly skewed clocks). Any of `secrets` may match, so a
 * receiver can accept the old and the new secret during a rotation.
 */
export function verifyTwentySignature({
  secrets,
  body,
  timestampHeader,
  signatureHeader,
  now = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: {
  secrets: readonly string[];
  body: RawBody;
  timestampHeader: string | undefined | null;
  signatureHeader: string | undefined | null;
  now?: Date;
  toleranceSeconds?: number;
}): boolean {
  if (!timestampHeader || !signatureHeader || !/^\d{1,16}$/.test(timestampHeader)) return false;
  const timestampMs = Number(timestampHeader);
  if (Math.abs(now.getTime() - timestampMs) > toleranceSeconds * 1000) return false;
  const candidates = signatureHeader
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  let matched = false;
  // No early exit: the work done does not depend on which secret or signature matched.
  for (const secret of secrets) {
    const expected = signTwentyV1({ secret, timestampMs: timestampHeader, body });
    for (const candidate of candidates) {
      if (constantTimeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}
