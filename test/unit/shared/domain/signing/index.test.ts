import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  buildSignatureHeaders,
  generateWebhookSecret,
  signStandardWebhooks,
  signTwentyV1,
  standardWebhooksKey,
  verifyStandardWebhooksSignature,
  verifyTwentySignature,
} from '../../../../../shared/domain/signing';

const NOW = new Date('2026-11-27T13:00:00.123Z');
const BODY = '{"event":"person.created","data":{"id":"p-1","n":12345678901234567890}}';

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 32 random bytes, different every time', () => {
    const secrets = new Set(Array.from({ length: 50 }, generateWebhookSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(standardWebhooksKey(secret)).toHaveLength(32);
      // The reference library accepts it as a key.
      expect(() => new Webhook(secret)).not.toThrow();
    }
  });
});

describe('signTwentyV1 (X-Twenty-Webhook-Signature)', () => {
  it('matches the algorithm of the public Twenty docs computed independently (HMAC-SHA256 hex of "ts:body")', () => {
    const secret = 'whsec_my-secret as shown in settings';
    const timestamp = '1735066639761';
    // Twenty docs: createHmac('SHA256', secret).update(`${timestamp}:${payload}`).digest('hex'), where
    // payload is the raw body string the receiver got.
    const expected = createHmac('SHA256', Buffer.from(secret, 'utf8'))
      .update(Buffer.from(`${timestamp}:${BODY}`, 'utf8'))
      .digest('hex');
    expect(signTwentyV1({ secret, timestampMs: Number(timestamp), body: BODY })).toBe(expected);
    expect(signTwentyV1({ secret, timestampMs: timestamp, body: Buffer.from(BODY) })).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the secret string itself as the key, not its decoded bytes', () => {
    const secret = generateWebhookSecret();
    const withDecodedKey = createHmac('sha256', standardWebhooksKey(secret))
      .update(`1:${BODY}`)
      .digest('hex');
    expect(signTwentyV1({ secret, timestampMs: 1, body: BODY })).not.toBe(withDecodedKey);
  });
});

describe('signStandardWebhooks (webhook-signature)', () => {
  it('is one v1,<base64> entry per secret, space-separated, verified by the reference library', () => {
    const secrets = [generateWebhookSecret(), generateWebhookSecret()];
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const signature = signStandardWebhooks({ secrets, deliveryId: 'msg_1', timestampSeconds, body: BODY });
    const entries = signature.split(' ');
    expect(entries).toHaveLength(2);
    for (const [i, secret] of secrets.entries()) {
      expect(entries[i]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      // The library checks each secret against every entry: both secrets verify on their own.
      const headers = {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signature,
      };
      expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    }
  });

  it('equals what the reference library signs', () => {
    const secret = generateWebhookSecret();
    const library = new Webhook(secret).sign('msg_abc', NOW, BODY);
    expect(
      signStandardWebhooks({
        secrets: [secret],
        deliveryId: 'msg_abc',
        timestampSeconds: 1_795_784_400,
        body: BODY,
      }),
    ).toBe(library);
  });
});

describe('buildSignatureHeaders', () => {
  it('returns every header, the Twenty one signed with the newest secret', () => {
    const [newest, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = buildSignatureHeaders({
      secrets: [newest, previous],
      deliveryId: 'msg_1',
      body: BODY,
      now: NOW,
      nonce: 'abc123',
    });
    expect(Object.keys(headers)).toEqual([
      'X-Twenty-Webhook-Signature',
      'X-Twenty-Webhook-Timestamp',
      'X-Twenty-Webhook-Nonce',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(headers['X-Twenty-Webhook-Timestamp']).toBe('1795784400123');
    expect(headers['webhook-timestamp']).toBe('1795784400');
    expect(headers['X-Twenty-Webhook-Nonce']).toBe('abc123');
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['X-Twenty-Webhook-Signature']).toBe(
      signTwentyV1({ secret: newest, timestampMs: 1_795_784_400_123, body: BODY }),
    );
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
  });

  it('makes a fresh random hex nonce per call', () => {
    const args = { secrets: [generateWebhookSecret()], deliveryId: 'msg_1', body: BODY, now: NOW };
    const a = buildSignatureHeaders(args)['X-Twenty-Webhook-Nonce'];
    const b = buildSignatureHeaders(args)['X-Twenty-Webhook-Nonce'];
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it('refuses to sign without a secret', () => {
    expect(() => buildSignatureHeaders({ secrets: [], deliveryId: 'm', body: '', now: NOW })).toThrow(
      /secret/,
    );
  });

  it('produces headers the reference library accepts', () => {
    const secret = generateWebhookSecret();
    const headers = buildSignatureHeaders({
      secrets: [secret],
      deliveryId: 'msg_9',
      body: BODY,
      now: new Date(),
    });
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });
});

describe('verifyTwentySignature', () => {
  const secret = generateWebhookSecret();
  const headersAt = (now: Date, s = secret, body = BODY) =>
    buildSignatureHeaders({ secrets: [s], deliveryId: 'msg_1', body, now });
  const verify = (
    h: Record<string, string>,
    options: { body?: string; now?: Date; secrets?: string[] } = {},
  ) =>
    verifyTwentySignature({
      secrets: options.secrets ?? [secret],
      body: options.body ?? BODY,
      timestampHeader: h['X-Twenty-Webhook-Timestamp'],
      signatureHeader: h['X-Twenty-Webhook-Signature'],
      now: options.now ?? NOW,
    });

  it('accepts a genuine request, as string or raw bytes', () => {
    const h = headersAt(NOW);
    expect(verify(h)).toBe(true);
    expect(
      verifyTwentySignature({
        secrets: [secret],
        body: Buffer.from(BODY),
        timestampHeader: h['X-Twenty-Webhook-Timestamp'],
        signatureHeader: h['X-Twenty-Webhook-Signature']?.toUpperCase(),
        now: NOW,
      }),
    ).toBe(true);
  });

  it('rejects a re-serialized body, another secret, or a tampered timestamp', () => {
    const h = headersAt(NOW);
    expect(verify(h, { body: JSON.stringify(JSON.parse(BODY)) })).toBe(false);
    expect(verify(h, { body: JSON.stringify(BODY) })).toBe(false);
    expect(verify(h, { secrets: [generateWebhookSecret()] })).toBe(false);
    expect(verify({ ...h, 'X-Twenty-Webhook-Timestamp': String(NOW.getTime() + 1) })).toBe(false);
  });

  it('accepts any of several secrets (rotation)', () => {
    const h = headersAt(NOW);
    expect(verify(h, { secrets: [generateWebhookSecret(), secret] })).toBe(true);
  });

  it('enforces the 5-minute tolerance in both directions', () => {
    const h = headersAt(NOW);
    expect(verify(h, { now: new Date(NOW.getTime() + 300_000) })).toBe(true);
    expect(verify(h, { now: new Date(NOW.getTime() - 300_000) })).toBe(true);
    expect(verify(h, { now: new Date(NOW.getTime() + 300_001) })).toBe(false);
    expect(verify(h, { now: new Date(NOW.getTime() - 300_001) })).toBe(false);
    expect(
      verifyTwentySignature({
        secrets: [secret],
        body: BODY,
        timestampHeader: h['X-Twenty-Webhook-Timestamp'],
        signatureHeader: h['X-Twenty-Webhook-Signature'],
        now: new Date(NOW.getTime() + 3_600_000),
        toleranceSeconds: 7200,
      }),
    ).toBe(true);
  });

  it('rejects missing or malformed headers', () => {
    const h = headersAt(NOW);
    expect(verify({ ...h, 'X-Twenty-Webhook-Timestamp': '' })).toBe(false);
    expect(verify({ ...h, 'X-Twenty-Webhook-Timestamp': '1.5e12' })).toBe(false);
    expect(verify({ ...h, 'X-Twenty-Webhook-Signature': '' })).toBe(false);
    expect(verify({ ...h, 'X-Twenty-Webhook-Signature': 'zz' })).toBe(false);
    expect(
      verifyTwentySignature({
        secrets: [secret],
        body: BODY,
        timestampHeader: undefined,
        signatureHeader: null,
      }),
    ).toBe(false);
  });
});

describe('verifyStandardWebhooksSignature', () => {
  const secret = generateWebhookSecret();

  it('accepts what the reference library signs, with Node, Fetch or plain header objects', () => {
    const signature = new Webhook(secret).sign('msg_1', NOW, BODY);
    const plain = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1795784400',
      'webhook-signature': signature,
    };
    expect(verifyStandardWebhooksSignature({ secrets: [secret], headers: plain, body: BODY, now: NOW })).toBe(
      true,
    );
    const upper = {
      'Webhook-Id': 'msg_1',
      'Webhook-Timestamp': '1795784400',
      'Webhook-Signature': signature,
    };
    expect(verifyStandardWebhooksSignature({ secrets: [secret], headers: upper, body: BODY, now: NOW })).toBe(
      true,
    );
    expect(
      verifyStandardWebhooksSignature({
        secrets: [secret],
        headers: new Headers(plain),
        body: Buffer.from(BODY),
        now: NOW,
      }),
    ).toBe(true);
  });

  it('accepts any matching entry among several, and skips unknown versions', () => {
    const other = generateWebhookSecret();
    const headers = buildSignatureHeaders({
      secrets: [other, secret],
      deliveryId: 'msg_1',
      body: BODY,
      now: NOW,
    });
    const withV2 = { ...headers, 'webhook-signature': `v2,abc ${headers['webhook-signature']}` };
    expect(
      verifyStandardWebhooksSignature({ secrets: [secret], headers: withV2, body: BODY, now: NOW }),
    ).toBe(true);
    const onlyOther = buildSignatureHeaders({ secrets: [other], deliveryId: 'msg_1', body: BODY, now: NOW });
    expect(
      verifyStandardWebhooksSignature({ secrets: [secret], headers: onlyOther, body: BODY, now: NOW }),
    ).toBe(false);
  });

  it('rejects a changed id, timestamp or body, and out-of-tolerance timestamps', () => {
    const headers = buildSignatureHeaders({ secrets: [secret], deliveryId: 'msg_1', body: BODY, now: NOW });
    const check = (h: Record<string, string>, body = BODY, now = NOW) =>
      verifyStandardWebhooksSignature({ secrets: [secret], headers: h, body, now });
    expect(check(headers)).toBe(true);
    expect(check({ ...headers, 'webhook-id': 'msg_2' })).toBe(false);
    expect(check({ ...headers, 'webhook-timestamp': '1795784401' })).toBe(false);
    expect(check(headers, `${BODY} `)).toBe(false);
    expect(check(headers, BODY, new Date(NOW.getTime() + 301_000))).toBe(false);
    expect(check(headers, BODY, new Date(NOW.getTime() - 301_000))).toBe(false);
    expect(check(headers, BODY, new Date(NOW.getTime() + 299_000))).toBe(true);
    const { 'webhook-id': _id, ...noId } = headers;
    expect(check(noId)).toBe(false);
    expect(check({ ...headers, 'webhook-timestamp': 'soon' })).toBe(false);
  });
});

describe('sign → verify (property)', () => {
  const secretArb = fc
    .uint8Array({ minLength: 24, maxLength: 64 })
    .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
  const bodyArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 });

  it('holds for any body and secret, and fails for any one-byte change of the body', () => {
    fc.assert(
      fc.property(
        secretArb,
        bodyArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (secret, text, position, delta) => {
          const body = Buffer.from(text, 'utf8');
          const headers = buildSignatureHeaders({
            secrets: [secret],
            deliveryId: 'msg_p',
            body: text,
            now: NOW,
          });
          const twenty = (b: Buffer) =>
            verifyTwentySignature({
              secrets: [secret],
              body: b,
              timestampHeader: headers['X-Twenty-Webhook-Timestamp'],
              signatureHeader: headers['X-Twenty-Webhook-Signature'],
              now: NOW,
            });
          const standard = (b: Buffer) =>
            verifyStandardWebhooksSignature({ secrets: [secret], headers, body: b, now: NOW });
          expect(twenty(body)).toBe(true);
          expect(standard(body)).toBe(true);
          const changed = Buffer.from(body);
          const i = position % changed.length;
          changed[i] = ((changed[i] as number) + delta) % 256;
          expect(twenty(changed)).toBe(false);
          expect(standard(changed)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Twenty signatures hold for any secret string, and fail for any other secret', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.string({ unit: 'binary', minLength: 1 }),
        bodyArb,
        (secret, other, body) => {
          const timestampMs = NOW.getTime();
          const signatureHeader = signTwentyV1({ secret, timestampMs, body });
          const verify = (secrets: string[]) =>
            verifyTwentySignature({
              secrets,
              body,
              timestampHeader: String(timestampMs),
              signatureHeader,
              now: NOW,
            });
          expect(verify([secret])).toBe(true);
          expect(verify([other])).toBe(Buffer.from(other).equals(Buffer.from(secret)));
        },
      ),
    );
  });

  it('fails for any one-character change of the signature headers', () => {
    fc.assert(
      fc.property(secretArb, bodyArb, fc.nat(), (secret, body, position) => {
        const headers = buildSignatureHeaders({ secrets: [secret], deliveryId: 'msg_p', body, now: NOW });
        const hex = headers['X-Twenty-Webhook-Signature'] as string;
        const i = position % hex.length;
        const flipped = `${hex.slice(0, i)}${hex[i] === '0' ? '1' : '0'}${hex.slice(i + 1)}`;
        expect(
          verifyTwentySignature({
            secrets: [secret],
            body,
            timestampHeader: headers['X-Twenty-Webhook-Timestamp'],
            signatureHeader: flipped,
            now: NOW,
          }),
        ).toBe(false);
        const sig = headers['webhook-signature'] as string;
        const j = 3 + (position % (sig.length - 4)); // a base64 character of the first signature, before padding
        const tampered = `${sig.slice(0, j)}${sig[j] === 'A' ? 'B' : 'A'}${sig.slice(j + 1)}`;
        expect(
          verifyStandardWebhooksSignature({
            secrets: [secret],
            headers: { ...headers, 'webhook-signature': tampered },
            body,
            now: NOW,
          }),
        ).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
