/** Receiver-side check of a Standard Webhooks v1 signature. */

import { constantTimeEqual } from './constantTimeEqual';
import { standardWebhooksSignature } from './signStandardWebhooks';
import type { RawBody } from './signTwentyV1';
import { DEFAULT_TOLERANCE_SECONDS } from './verifyTwentySignature';

export type HeaderBag =
  | Headers
  | Record<string, string | readonly string[] | undefined>
  | { get(name: string): string | null };

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const bag = headers as Record<string, string | readonly string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}

/**
 * Receiver side of Standard Webhooks v1 (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * Accepts the request when any `v1,` signature matches any of `secrets` (`whsec_…`), and the timestamp
 * is within `toleranceSeconds` of `now` in either direction. `body` must be the raw request body.
 */
export function verifyStandardWebhooksSignature({
  secrets,
  headers,
  body,
  now = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: {
  secrets: readonly string[];
  headers: HeaderBag;
  body: RawBody;
  now?: Date;
  toleranceSeconds?: number;
}): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,13}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const candidates = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  let matched = false;
  for (const secret of secrets) {
    const expected = standardWebhooksSignature(secret, id, timestamp, body);
    for (const candidate of candidates) {
      if (constantTimeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}
