import { createCipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveCredentialKey,
  InvalidKeyMaterialError,
  MIN_KEY_MATERIAL_LENGTH,
} from '../../../../../shared/domain/credentials/credentialKey';
import {
  CredentialDecryptionError,
  keyVersionOf,
  openCredential,
  sealCredential,
} from '../../../../../shared/domain/credentials/sealedCredential';
import { signingSecretContext } from '../../../../../shared/domain/credentials/signingSecretContext';

const keyV1 = deriveCredentialKey(`${'a'.repeat(20)}key-material-version-one-0123456789`);
const keyV2 = deriveCredentialKey(`${'b'.repeat(20)}key-material-version-two-0123456789`);
const context = signingSecretContext('ws-alpha', 'wh_one');
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function seal(plaintext = secret, key = keyV1, keyVersion = 'version-1', ctx = context) {
  return sealCredential({ plaintext, key, keyVersion, context: ctx });
}

/** Flips one bit of the base64url part at `index` (1 = iv, 2 = tag, 3 = ciphertext). */
function flipBit(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] as string, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealCredential / openCredential', () => {
  it('round-trips any text, including non-ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fc.string()), (text, ctx) => {
        const sealed = seal(text, keyV1, 'v', ctx);
        expect(openCredential({ sealed, key: keyV1, context: ctx })).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('never contains the plaintext and differs on every seal (random IV)', () => {
    const a = seal();
    const b = seal();
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(a).not.toContain(Buffer.from(secret).toString('base64url').slice(0, 12));
    expect(a.startsWith('c1.')).toBe(true);
  });

  it('rejects a changed bit in the IV, the tag or the ciphertext', () => {
    const sealed = seal();
    for (const index of [1, 2, 3]) {
      expect(() => openCredential({ sealed: flipBit(sealed, index), key: keyV1, context })).toThrow(
        CredentialDecryptionError,
      );
    }
  });

  it('rejects a truncated ciphertext and characters outside base64url', () => {
    const sealed = seal();
    const parts = sealed.split('.');
    parts[3] = (parts[3] as string).slice(0, -2);
    expect(() => openCredential({ sealed: parts.join('.'), key: keyV1, context })).toThrow(
      CredentialDecryptionError,
    );
    const withJunk = sealed.replace('.', '.!');
    expect(() => openCredential({ sealed: withJunk, key: keyV1, context })).toThrow(
      CredentialDecryptionError,
    );
  });

  it("rejects another webhook's context: a ciphertext copied to another webhook does not decrypt", () => {
    const sealed = seal();
    for (const other of [
      signingSecretContext('ws-alpha', 'wh_two'),
      signingSecretContext('ws-beta', 'wh_one'),
      ['custom-header', 'ws-alpha', 'wh_one'],
    ]) {
      expect(() => openCredential({ sealed, key: keyV1, context: other })).toThrow(CredentialDecryptionError);
    }
  });

  it('binds the context without ambiguity: ids containing separators do not collide', () => {
    const sealed = seal(secret, keyV1, 'v', ['p', 'a.b', 'c']);
    expect(() => openCredential({ sealed, key: keyV1, context: ['p', 'a', 'b.c'] })).toThrow(
      CredentialDecryptionError,
    );
    expect(() => openCredential({ sealed, key: keyV1, context: ['p', 'a.b', 'c', ''] })).toThrow(
      CredentialDecryptionError,
    );
  });

  it('rejects the wrong key', () => {
    expect(() => openCredential({ sealed: seal(), key: keyV2, context })).toThrow(CredentialDecryptionError);
  });

  it('rejects text that is not an envelope, or of an unknown format', () => {
    for (const text of [
      '',
      'whsec_abc',
      'c1.a.b',
      `c2${seal().slice(2)}`,
      `${seal().split('.').slice(0, 4).join('.')}.`,
    ]) {
      expect(() => openCredential({ sealed: text, key: keyV1, context })).toThrow(CredentialDecryptionError);
    }
  });

  it('is standard AES-256-GCM: an envelope built with node:crypto directly opens', () => {
    const iv = Buffer.alloc(12, 7);
    const cipher = createCipheriv('aes-256-gcm', keyV1, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(context)));
    const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
    const sealed = ['c1', iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .concat('v9')
      .join('.');
    expect(openCredential({ sealed, key: keyV1, context })).toBe(secret);
  });
});

describe('key versions (rotation of the key secret)', () => {
  it('records the sealing key version, including versions containing dots', () => {
    expect(keyVersionOf(seal(secret, keyV1, 'version-1'))).toBe('version-1');
    expect(keyVersionOf(seal(secret, keyV1, 'a.b.c'))).toBe('a.b.c');
  });

  it('after a rotation, new seals use the new version and old envelopes still open with their own key', () => {
    const keys = new Map([
      ['version-1', keyV1],
      ['version-2', keyV2],
    ]);
    const old = seal(secret, keyV1, 'version-1');
    const fresh = seal('whsec_new', keyV2, 'version-2');
    for (const [sealed, plaintext] of [
      [old, secret],
      [fresh, 'whsec_new'],
    ] as const) {
      const key = keys.get(keyVersionOf(sealed)) as KeyObject;
      expect(openCredential({ sealed, key, context })).toBe(plaintext);
    }
    // Re-wrapping: open with the old key, seal with the new one.
    const rewrapped = seal(openCredential({ sealed: old, key: keyV1, context }), keyV2, 'version-2');
    expect(keyVersionOf(rewrapped)).toBe('version-2');
    expect(openCredential({ sealed: rewrapped, key: keyV2, context })).toBe(secret);
  });

  it('refuses a key of the wrong size and an empty version', () => {
    expect(() =>
      sealCredential({ plaintext: 'x', key: createSecretKey(Buffer.alloc(16)), keyVersion: 'v', context }),
    ).toThrow(/32 bytes/);
    expect(() => sealCredential({ plaintext: 'x', key: keyV1, keyVersion: '', context })).toThrow(
      /keyVersion/,
    );
  });
});

describe('deriveCredentialKey', () => {
  it('derives the same 32-byte key from the same material and different keys from different material', () => {
    const material = 'x'.repeat(MIN_KEY_MATERIAL_LENGTH);
    // A KeyObject: its bytes are compared (two KeyObjects have no own fields to compare).
    const bytes = (text: string) => deriveCredentialKey(text).export();
    expect(bytes(material)).toEqual(bytes(material));
    expect(bytes(material)).toHaveLength(32);
    expect(bytes(material)).not.toEqual(bytes(`${material}y`));
  });

  it('matches the RFC 5869 HKDF-SHA256 construction (independent computation with HMAC)', async () => {
    const { createHmac } = await import('node:crypto');
    const material = 'K'.repeat(40);
    const prk = createHmac('sha256', Buffer.alloc(32)).update(material).digest();
    const okm = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from('crm-webhooks credential encryption key v1'), Buffer.from([1])]))
      .digest();
    expect(deriveCredentialKey(material).export()).toEqual(okm);
  });

  it('refuses material shorter than the minimum', () => {
    expect(() => deriveCredentialKey('short')).toThrow(InvalidKeyMaterialError);
  });
});
