/** Checks a webhook's target URL (scheme, host, length) before it is saved. */

import { blockedHostReason } from '../../shared/domain/network/blockedAddress';

export const MAX_TARGET_URL_LENGTH = 2048;

export interface TargetUrlPolicy {
  /** Local runtime only: `http://` and loopback hosts are accepted. */
  localMode: boolean;
}

/**
 * Why a webhook target URL is refused, or undefined. This is the early, name-based check; the delivery
 * function checks the resolved IP again at connect time (DNS can change after the webhook is saved).
 */
export function targetUrlError(value: string, policy: TargetUrlPolicy): string | undefined {
  if (value.length > MAX_TARGET_URL_LENGTH) return `must be at most ${MAX_TARGET_URL_LENGTH} characters`;
  // new URL() trims and re-encodes these silently; the stored URL must be exactly what is called.
  if (/[\s\p{Cc}]/u.test(value)) return 'must not contain whitespace or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as https://example.com/webhooks';
  }
  const allowedProtocols = policy.localMode ? ['https:', 'http:'] : ['https:'];
  if (!allowedProtocols.includes(url.protocol)) {
    return policy.localMode ? 'must use https or http' : 'must use https';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a username or password';
  if (url.hostname === '') return 'must name a host';
  const blocked = blockedHostReason(url.hostname, { allowLoopback: policy.localMode });
  if (blocked !== undefined) return `is not allowed: ${blocked}`;
  if (url.href.length > MAX_TARGET_URL_LENGTH) {
    return `must be at most ${MAX_TARGET_URL_LENGTH} characters once normalized (${url.href.length})`;
  }
  return undefined;
}

/**
 * The URL the delivery function will call, as the WHATWG URL parser (undici's) serializes it. Stored and
 * shown instead of the input so every reader (people, proxies, other parsers) sees the same target.
 * https://url.spec.whatwg.org/#concept-url-serializer
 */
export function normalizedTargetUrl(valid: string): string {
  return new URL(valid).href;
}
