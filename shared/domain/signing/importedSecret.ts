/** Checks a signing secret a user imports instead of letting the product generate one. */

import { SECRET_PREFIX } from './webhookSecret';

/** Key bytes a `whsec_` secret may carry. */
const WHSEC_KEY_BYTES = { min: 24, max: 64 } as const;
/** Characters of any other secret (e.g. Twenty's 64 hex characters). */
export const PLAIN_SECRET_LENGTH = { min: 32, max: 128 } as const;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
/** Standard (RFC 4648 §4) base64 with its padding: what every Standard Webhooks library can decode. */
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why a caller-supplied signing secret cannot be used, or undefined when it can.
 *
 * `X-Twenty-Webhook-Signature` is keyed with the secret string exactly as given, so any string would do
 * there. The Standard Webhooks key is what the reference libraries derive: they remove an optional
 * `whsec_` and base64-decode the rest (`standardwebhooks`/`svix` for JavaScript decode with
 * @stablelib/base64 and throw on characters outside the alphabet; Go's `StdEncoding` also wants the
 * padding). So the part after the prefix must be canonical padded base64: every library then decodes
 * the same bytes, and they are the bytes this product signs with.
 */
export function importedSecretError(secret: string): string | undefined {
  if (!PRINTABLE_ASCII.test(secret)) {
    return 'must be printable ASCII without spaces';
  }
  const prefixed = secret.startsWith(SECRET_PREFIX);
  const encoded = prefixed ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!prefixed && (secret.length < PLAIN_SECRET_LENGTH.min || secret.length > PLAIN_SECRET_LENGTH.max)) {
    return `must be ${PLAIN_SECRET_LENGTH.min}-${PLAIN_SECRET_LENGTH.max} characters (or "${SECRET_PREFIX}" + base64 of ${WHSEC_KEY_BYTES.min}-${WHSEC_KEY_BYTES.max} bytes)`;
  }
  const notBase64 = prefixed
    ? `after "${SECRET_PREFIX}" must be standard base64 (A-Z a-z 0-9 + /, padded with =)`
    : `is used as a Standard Webhooks key, which the reference libraries base64-decode: it must be standard base64 (A-Z a-z 0-9 + /, padded with =, e.g. 64 hex characters), or "${SECRET_PREFIX}" + base64`;
  if (!PADDED_BASE64.test(encoded) || Buffer.from(encoded, 'base64').toString('base64') !== encoded) {
    return notBase64;
  }
  if (prefixed) {
    const bytes = Buffer.from(encoded, 'base64').length;
    if (bytes < WHSEC_KEY_BYTES.min || bytes > WHSEC_KEY_BYTES.max) {
      return `after "${SECRET_PREFIX}" must encode ${WHSEC_KEY_BYTES.min}-${WHSEC_KEY_BYTES.max} bytes of key (got ${bytes})`;
    }
  }
  return undefined;
}
