/** The AES-256 key that seals credentials, derived (HKDF-SHA256) from the key secret's text. */

import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * Fewest characters of key material accepted. The stack generates 64 letters and digits (≈ 381 bits);
 * 32 such characters still carry ≈ 190 bits, above AES-256's 128-bit security level against search.
 */
export const MIN_KEY_MATERIAL_LENGTH = 32;

/** Bytes of an AES-256 key. */
export const CREDENTIAL_KEY_BYTES = 32;

/** Versioned so a future change of derivation cannot silently produce a different key from the same material. */
const HKDF_INFO = 'crm-webhooks credential encryption key v1';

/** The key material in the key secret is too short (or not text) to derive a key from. */
export class InvalidKeyMaterialError extends Error {
  constructor(length: number) {
    super(`key material must be at least ${MIN_KEY_MATERIAL_LENGTH} characters (got ${length})`);
    this.name = 'InvalidKeyMaterialError';
  }
}

/**
 * The AES-256 key a version of the key secret stands for. The secret holds random text (what Secrets
 * Manager's `GenerateSecretString` / `get-random-password` produce, so the stack and an operator can
 * create and rotate it with stock tools); HKDF-SHA256 (RFC 5869) turns that text into a uniform 32-byte
 * key. Deterministic: every container derives the same key from the same version. A `KeyObject`: it
 * cannot be changed once made (a Buffer could), so the keyring can cache and share it.
 */
export function deriveCredentialKey(keyMaterial: string): KeyObject {
  if (keyMaterial.length < MIN_KEY_MATERIAL_LENGTH) throw new InvalidKeyMaterialError(keyMaterial.length);
  return createSecretKey(
    Buffer.from(hkdfSync('sha256', keyMaterial, Buffer.alloc(0), HKDF_INFO, CREDENTIAL_KEY_BYTES)),
  );
}
