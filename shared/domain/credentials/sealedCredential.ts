/** Seals and opens small credentials (signing secrets, custom header values) as AES-256-GCM envelopes. */

import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import { CREDENTIAL_KEY_BYTES } from './credentialKey';

/*
 * AES-256-GCM envelopes for small credential values (signing secrets today, custom header values
 * later) stored beside the record they belong to. Text form, so it fits any DynamoDB string attribute:
 *
 *   c1.<iv>.<tag>.<ciphertext>.<keyVersion>      (iv, tag, ciphertext: base64url)
 *
 * `keyVersion` names the version of the key secret that sealed it, so a rotated key still opens older
 * envelopes. It is last because it is the one part whose alphabet we do not choose (a Secrets Manager
 * version id). The `context` (e.g. purpose, workspace id, webhook id) is bound as additional
 * authenticated data: an envelope copied onto another record does not open there.
 */

const FORMAT = 'c1';
/** 96-bit IVs, the size GCM is specified for (NIST SP 800-38D §5.2.1.1); random per seal. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the record a credential belongs to says about it; bound as AAD. */
export type CredentialContext = readonly string[];

/** Not an envelope, tampered with, sealed for another record, or sealed under another key. */
export class CredentialDecryptionError extends Error {
  constructor(reason: string) {
    super(`sealed credential cannot be opened: ${reason}`);
    this.name = 'CredentialDecryptionError';
  }
}

/** JSON of the parts: unambiguous whatever characters an id holds (no separator to forge). */
function additionalData(context: CredentialContext): Buffer {
  return Buffer.from(JSON.stringify(context), 'utf8');
}

function requireKey(key: KeyObject): void {
  if (key.type !== 'secret' || key.symmetricKeySize !== CREDENTIAL_KEY_BYTES)
    throw new Error(`credential key must be ${CREDENTIAL_KEY_BYTES} bytes`);
}

/** Encrypts `plaintext` under `key` (version `keyVersion`), bound to `context`. */
export function sealCredential({
  plaintext,
  key,
  keyVersion,
  context,
}: {
  plaintext: string;
  key: KeyObject;
  keyVersion: string;
  context: CredentialContext;
}): string {
  requireKey(key);
  if (keyVersion.length === 0) throw new Error('keyVersion is required');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    FORMAT,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
    keyVersion,
  ].join('.');
}

interface ParsedEnvelope {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  keyVersion: string;
}

function parseEnvelope(sealed: string): ParsedEnvelope {
  const parts: string[] = [];
  let rest = sealed;
  for (let i = 0; i < 4; i++) {
    const dot = rest.indexOf('.');
    if (dot < 0) throw new CredentialDecryptionError('not a sealed credential');
    parts.push(rest.slice(0, dot));
    rest = rest.slice(dot + 1);
  }
  const [format, iv, tag, ciphertext] = parts as [string, string, string, string];
  if (format !== FORMAT) throw new CredentialDecryptionError(`unknown format "${format}"`);
  if (rest.length === 0) throw new CredentialDecryptionError('no key version');
  const decoded = { iv: fromBase64Url(iv), tag: fromBase64Url(tag), ciphertext: fromBase64Url(ciphertext) };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new CredentialDecryptionError('malformed envelope');
  }
  return { ...decoded, keyVersion: rest };
}

/** Strict: Node's decoder skips characters outside the alphabet, which would hide tampering with the text. */
function fromBase64Url(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new CredentialDecryptionError('malformed envelope');
  return Buffer.from(text, 'base64url');
}

/** Which key version an envelope needs, so the caller can fetch that key before `openCredential`. */
export function keyVersionOf(sealed: string): string {
  return parseEnvelope(sealed).keyVersion;
}

/**
 * Decrypts and authenticates an envelope. `key` is the key of `keyVersionOf(sealed)`. Throws
 * CredentialDecryptionError for anything that does not authenticate: a changed byte, another record's
 * context, another key.
 */
export function openCredential({
  sealed,
  key,
  context,
}: {
  sealed: string;
  key: KeyObject;
  context: CredentialContext;
}): string {
  requireKey(key);
  const { iv, tag, ciphertext } = parseEnvelope(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(context));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new CredentialDecryptionError('authentication failed (tampered, wrong record or wrong key)');
  }
}
