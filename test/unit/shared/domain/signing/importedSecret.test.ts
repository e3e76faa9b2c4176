import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { buildSignatureHeaders, standardWebhooksKey } from '../../../../../shared/domain/signing';
import { importedSecretError } from '../../../../../shared/domain/signing/importedSecret';

const BODY = '{"event":"person.created","data":{"id":"p-1"}}';

/** The headers this product sends for `secret`, checked by both reference libraries and the Twenty HMAC. */
function verifiesEverywhere(secret: string): boolean {
  const now = new Date();
  const headers = buildSignatureHeaders({ secrets: [secret], deliveryId: 'msg_imported', body: BODY, now });
  const standard = {
    'webhook-id': headers['webhook-id'] as string,
    'webhook-timestamp': headers['webhook-timestamp'] as string,
    'webhook-signature': headers['webhook-signature'] as string,
  };
  new StandardWebhook(secret).verify(BODY, standard);
  new SvixWebhook(secret).verify(BODY, standard);
  const twenty = createHmac('sha256', secret)
    .update(`${headers['X-Twenty-Webhook-Timestamp']}:${BODY}`)
    .digest('hex');
  return twenty === headers['X-Twenty-Webhook-Signature'];
}

/** Can the reference libraries use this secret as a key at all? */
function librariesAccept(secret: string): boolean {
  try {
    new StandardWebhook(secret);
    new SvixWebhook(secret);
    return true;
  } catch {
    return false;
  }
}

describe('importedSecretError', () => {
  it("the svix documentation's vector: the key is the base64 after whsec_ (24 bytes, the minimum)", () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(importedSecretError(secret)).toBeUndefined();
    expect(standardWebhooksKey(secret)).toHaveLength(24);
    const signature = createHmac('sha256', standardWebhooksKey(secret))
      .update('msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}')
      .digest('base64');
    expect(`v1,${signature}`).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(
      new SvixWebhook(secret).sign(
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        new Date(1614265330_000),
        '{"test": 2432232314}',
      ),
    ).toBe(`v1,${signature}`);
    expect(verifiesEverywhere(secret)).toBe(true);
  });

  it("accepts a Twenty secret (64 hex characters): Twenty's header keyed with the string, Standard Webhooks with its base64 decoding", () => {
    const secret = randomBytes(32).toString('hex');
    expect(importedSecretError(secret)).toBeUndefined();
    expect(standardWebhooksKey(secret)).toEqual(Buffer.from(secret, 'base64'));
    expect(standardWebhooksKey(secret)).toHaveLength(48);
    expect(verifiesEverywhere(secret)).toBe(true);
  });

  it('accepts whsec_ secrets of 24 to 64 key bytes and other base64 strings of 32 to 128 characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .uint8Array({ minLength: 24, maxLength: 64 })
            .map((b) => `whsec_${Buffer.from(b).toString('base64')}`),
          fc
            .uint8Array({ minLength: 24, maxLength: 96 })
            .map((b) => Buffer.from(b).toString('base64'))
            .filter((s) => s.length >= 32 && s.length <= 128),
        ),
        (secret) => {
          expect(importedSecretError(secret)).toBeUndefined();
          expect(verifiesEverywhere(secret)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never accepts a secret the reference libraries cannot use, and what it accepts signs verifiably', () => {
    const base64ish = fc.constantFrom(...'ABCXYZabcxyz0189+/=-_ .!~'.split(''));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: base64ish, minLength: 28, maxLength: 140 }),
          fc.string({ unit: base64ish, minLength: 28, maxLength: 100 }).map((s) => `whsec_${s}`),
          fc.string({ minLength: 0, maxLength: 140 }),
        ),
        (secret) => {
          if (importedSecretError(secret) !== undefined) return;
          expect(librariesAccept(secret)).toBe(true);
          expect(verifiesEverywhere(secret)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['too short', 'abcdef0123456789abcdef012345678', /32-128 characters/],
    ['too long', 'a'.repeat(132), /32-128 characters/],
    ['not base64 (the libraries throw)', `my-password-${'x'.repeat(24)}`, /base64-decode/],
    ['unpadded base64', `${'A'.repeat(33)}Bc`, /base64/],
    [
      'whsec_ with 16 key bytes',
      `whsec_${randomBytes(16).toString('base64')}`,
      /24-64 bytes of key \(got 16\)/,
    ],
    ['whsec_ with 65 key bytes', `whsec_${randomBytes(65).toString('base64')}`, /got 65/],
    ['whsec_ with base64url', `whsec_${'-_'.repeat(16)}`, /after "whsec_" must be standard base64/],
    ['spaces', `${'a'.repeat(20)} ${'b'.repeat(20)}`, /printable ASCII without spaces/],
    ['non-ASCII', `${'a'.repeat(40)}é`, /printable ASCII/],
    ['empty', '', /printable ASCII/],
  ])('refuses %s', (_, secret, message) => {
    expect(importedSecretError(secret)).toMatch(message);
  });

  it('refuses non-canonical base64 (trailing bits set), which libraries may decode differently', () => {
    // "QR==" decodes to the same byte as "QQ==", but only the latter is canonical.
    const secret = `${'A'.repeat(40)}QR==`;
    expect(importedSecretError(secret)).toMatch(/base64/);
  });
});
