import { describe, expect, it } from 'vitest';
import { targetUrlError } from '../../../../functions/subscriptions-api/targetUrlError';

const production = { localMode: false };
const local = { localMode: true };

describe('targetUrlError', () => {
  it.each([
    'https://example.com',
    'https://example.com/hooks?x=1#frag',
    'https://sub.example.co.uk:8443/a/b',
    'https://93.184.215.14/hooks',
    'https://[2606:4700::1111]/hooks',
    'https://xn--bcher-kva.example/',
  ])('accepts %s', (url) => {
    expect(targetUrlError(url, production)).toBeUndefined();
  });

  it.each([
    ['', 'absolute URL'],
    ['example.com/hooks', 'absolute URL'],
    ['http://example.com', 'must use https'],
    ['ws://example.com', 'must use https'],
    ['javascript:alert(1)', 'must use https'],
    ['https://user:pw@example.com', 'username or password'],
    ['https://:pw@example.com', 'username or password'],
    ['https://127.0.0.1', 'loopback'],
    ['https://0x7f000001/', 'loopback'],
    ['https://017700000001/', 'loopback'],
    ['https://localhost', 'local or internal'],
    ['https://LOCALHOST.', 'local or internal'],
    ['https://printer.local', 'local or internal'],
    ['https://10.0.0.1', 'private'],
    ['https://172.31.255.255', 'private'],
    ['https://192.168.1.1', 'private'],
    ['https://169.254.169.254', 'link-local'],
    ['https://[fe80::1]', 'link-local'],
    ['https://[fd12:3456::1]', 'private'],
    ['https://[::ffff:169.254.169.254]', 'link-local'],
    ['https://100.100.100.200', 'carrier-grade NAT'],
    ['https://0.0.0.0', 'unspecified'],
    ['https://intranet', 'fully qualified'],
    ['https://exa mple.com', 'whitespace'],
    ['https://example.com/\n', 'whitespace'],
    [`https://example.com/${'a'.repeat(2030)}`, '2048'],
  ])('refuses %j (%s)', (url, reason) => {
    expect(targetUrlError(url, production)).toContain(reason);
  });

  it('allows http and loopback only in local mode, never private ranges', () => {
    expect(targetUrlError('http://127.0.0.1:3001/hook', local)).toBeUndefined();
    expect(targetUrlError('http://localhost:3001/hook', local)).toBeUndefined();
    expect(targetUrlError('http://[::1]:3001/hook', local)).toBeUndefined();
    expect(targetUrlError('http://10.0.0.1/hook', local)).toContain('private');
    expect(targetUrlError('http://169.254.169.254/', local)).toContain('link-local');
    expect(targetUrlError('ftp://example.com/', local)).toContain('https or http');
  });
});
