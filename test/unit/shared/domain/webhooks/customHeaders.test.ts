import { describe, expect, it } from 'vitest';
import {
  customHeaderNameError,
  customHeaderValueError,
  duplicateCustomHeaderName,
} from '../../../../../shared/domain/webhooks/customHeaders';

describe('custom headers', () => {
  it('accepts HTTP token names that the sender does not own', () => {
    for (const name of ['Authorization', 'X-Api-Key', 'x-tenant', "X!#$%&'*+-.^_`|~1"]) {
      expect(customHeaderNameError(name)).toBeUndefined();
    }
  });

  it('refuses non-tokens, hop-by-hop, sender-owned and signature headers, whatever their case', () => {
    for (const name of [
      '',
      'Bad Name',
      'X:Colon',
      'X-Ünicode',
      'a'.repeat(101),
      'HOST',
      'Content-Type',
      'content-length',
      'User-Agent',
      'Connection',
      'Keep-Alive',
      'Proxy-Authorization',
      'TE',
      'Trailer',
      'Transfer-Encoding',
      'Upgrade',
      'Expect',
      'X-Twenty-Webhook-Signature',
      'x-twenty-webhook-nonce',
      'Webhook-Id',
      'webhook-signature',
    ]) {
      expect(customHeaderNameError(name), name).toBeDefined();
    }
  });

  it('accepts visible ASCII values with inner spaces, refuses line breaks, padding, empty and long values', () => {
    expect(customHeaderValueError('Bearer abc.def')).toBeUndefined();
    expect(customHeaderValueError('a\tb')).toBeUndefined();
    for (const value of ['', ' a', 'a ', 'a\r\nX-Injected: 1', 'a\nb', 'é', 'a'.repeat(4097), 'a\u0000b']) {
      expect(customHeaderValueError(value), JSON.stringify(value)).toBeDefined();
    }
  });

  it('finds names that differ only in case', () => {
    expect(duplicateCustomHeaderName(['X-Key', 'Authorization', 'x-key'])).toBe('x-key');
    expect(duplicateCustomHeaderName(['X-Key', 'Authorization'])).toBeUndefined();
  });
});
