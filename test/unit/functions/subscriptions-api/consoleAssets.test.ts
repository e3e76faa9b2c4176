import { describe, expect, it } from 'vitest';
import { acceptedEncodings, encodedBody } from '../../../../functions/subscriptions-api/consoleAssets';

describe('acceptedEncodings (RFC 9110 Accept-Encoding)', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['gzip, deflate, br, zstd', ['gzip', 'deflate', 'br', 'zstd']],
    ['br;q=0, gzip;q=0.8', ['gzip']],
    ['GZIP ; q=1.0', ['gzip']],
    ['*', ['br', 'gzip']],
    ['identity;q=0.5, *;q=0', ['identity']],
  ])('%j → %j', (header, expected) => {
    expect([...acceptedEncodings(header)].sort()).toEqual([...expected].sort());
  });
});

describe('encodedBody', () => {
  const file = {
    contentType: 'text/javascript; charset=utf-8',
    body: Buffer.from('raw'),
    encoded: { br: Buffer.from('brotli'), gzip: Buffer.from('gzip') },
  };

  it('prefers brotli, then gzip, else sends the raw bytes', () => {
    expect(encodedBody(file, 'gzip, br')).toEqual({ body: Buffer.from('brotli'), contentEncoding: 'br' });
    expect(encodedBody(file, 'gzip')).toEqual({ body: Buffer.from('gzip'), contentEncoding: 'gzip' });
    expect(encodedBody(file, undefined)).toEqual({ body: Buffer.from('raw') });
    expect(encodedBody({ ...file, encoded: {} }, 'br')).toEqual({ body: Buffer.from('raw') });
  });
});
