import { describe, expect, it } from 'vitest';
import { blockedAddressReason, blockedHostReason } from '../../../../../shared/domain/network/blockedAddress';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };
const hostOf = (url: string) => new URL(url).hostname;

describe('blockedAddressReason', () => {
  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4007:80e::200e'])(
    'lets public address %s through',
    (address) => {
      expect(blockedAddressReason(address, strict)).toBeUndefined();
    },
  );

  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['::1', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.5.4', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['fd00::1', /private/],
    ['fc12::1', /private/],
    ['169.254.169.254', /link-local \(cloud metadata\)/],
    ['169.254.170.2', /link-local/],
    ['fe80::1', /link-local/],
    ['fd00:ec2::254', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['::ffff:127.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['::ffff:169.254.169.254', /169\.254\.169\.254 is a link-local/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:7f00:1', /loopback/],
    ['[::1]', /loopback/],
  ])('blocks %s', (address, reason) => {
    expect(blockedAddressReason(address, strict)).toMatch(reason);
  });

  it.each([
    ['::7f00:1', /IPv4-compatible .*embeds 127\.0\.0\.1/],
    ['::127.0.0.1', /IPv4-compatible .*embeds 127\.0\.0\.1/],
    ['0:0:0:0:0:0:127.0.0.1', /IPv4-compatible .*embeds 127\.0\.0\.1/],
    ['::a9fe:a9fe', /IPv4-compatible .*embeds 169\.254\.169\.254/],
    ['::169.254.169.254', /IPv4-compatible .*embeds 169\.254\.169\.254/],
    ['::a00:1', /IPv4-compatible .*embeds 10\.0\.0\.1/],
    ['[::7f00:1]', /IPv4-compatible/],
    // Deprecated (RFC 4291 2.5.5.1) and never a legitimate receiver: refused whatever it embeds.
    ['::8.8.8.8', /IPv4-compatible .*embeds 8\.8\.8\.8/],
    ['::0.0.0.2', /IPv4-compatible .*embeds 0\.0\.0\.2/],
  ])('blocks IPv4-compatible (::/96) %s, in local mode too', (address, reason) => {
    expect(blockedAddressReason(address, strict)).toMatch(reason);
    expect(blockedAddressReason(address, local)).toMatch(reason);
  });

  it('lets IPv4-mapped public addresses through', () => {
    expect(blockedAddressReason('::ffff:8.8.8.8', strict)).toBeUndefined();
  });

  it('allows loopback only in local mode, and nothing else private', () => {
    expect(blockedAddressReason('127.0.0.1', local)).toBeUndefined();
    expect(blockedAddressReason('::1', local)).toBeUndefined();
    expect(blockedAddressReason('::ffff:127.0.0.1', local)).toBeUndefined();
    expect(blockedAddressReason('10.0.0.1', local)).toMatch(/private/);
    expect(blockedAddressReason('169.254.169.254', local)).toMatch(/link-local/);
  });

  it('rejects strings that are not IP addresses', () => {
    expect(blockedAddressReason('example.com', strict)).toMatch(/not an IP address/);
    expect(blockedAddressReason('', strict)).toMatch(/not an IP address/);
  });
});

describe('blockedHostReason (hostnames as new URL() gives them)', () => {
  it.each([
    'http://2130706433/', // decimal
    'http://0x7f000001/', // hex
    'http://017700000001/', // octal
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
  ])('blocks loopback written as %s', (url) => {
    expect(blockedHostReason(hostOf(url), strict)).toMatch(/loopback/);
  });

  it.each([
    'http://[::127.0.0.1]/',
    'http://[::a9fe:a9fe]/',
    'http://[::169.254.169.254]/',
    'http://[::0:a00:1]/',
  ])('blocks the IPv4-compatible host of %s, in local mode too', (url) => {
    expect(blockedHostReason(hostOf(url), strict)).toMatch(/IPv4-compatible/);
    expect(blockedHostReason(hostOf(url), local)).toMatch(/IPv4-compatible/);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/', // 169.254.169.254 in decimal
    'http://0xa9fea9fe/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fe80::1]/',
  ])('blocks metadata / link-local %s', (url) => {
    expect(blockedHostReason(hostOf(url), strict)).toMatch(/link-local/);
  });

  it.each([
    'http://10.1.2.3/',
    'http://0x0a.1.2.3/',
    'http://[fd00:ec2::254]/',
    'http://0/',
    'http://0.0.0.0/',
  ])('blocks private or unspecified %s', (url) => {
    expect(blockedHostReason(hostOf(url), strict)).toBeDefined();
  });

  it.each([
    'http://localhost/',
    'http://LOCALHOST./',
    'http://api.localhost/',
    'http://printer.local/',
    'http://db.internal/',
    'http://ip-10-0-0-1.ec2.internal/',
    'http://router.home.arpa/',
    'http://box.localdomain/',
    'http://ip6-localhost/',
  ])('blocks local names such as %s', (url) => {
    expect(blockedHostReason(hostOf(url), strict)).toMatch(/local or internal/);
  });

  it('rejects single-label names, which resolve through search domains', () => {
    expect(blockedHostReason('intranet', strict)).toMatch(/fully qualified/);
  });

  it('lets public names and addresses through (the resolved IP is checked again at connect time)', () => {
    expect(blockedHostReason(hostOf('https://hooks.example.com/x'), strict)).toBeUndefined();
    expect(blockedHostReason(hostOf('https://example.com./x'), strict)).toBeUndefined();
    expect(blockedHostReason(hostOf('https://93.184.216.34/'), strict)).toBeUndefined();
    expect(blockedHostReason(hostOf('https://[2606:4700:4700::1111]/'), strict)).toBeUndefined();
    expect(blockedHostReason(hostOf('https://localhost.example.com/'), strict)).toBeUndefined();
  });

  it('allows localhost and loopback literals in local mode only', () => {
    expect(blockedHostReason('localhost', local)).toBeUndefined();
    expect(blockedHostReason(hostOf('http://127.0.0.1:3000/'), local)).toBeUndefined();
    expect(blockedHostReason(hostOf('http://[::1]:3000/'), local)).toBeUndefined();
    expect(blockedHostReason('db.internal', local)).toMatch(/local or internal/);
    expect(blockedHostReason(hostOf('http://10.0.0.1/'), local)).toMatch(/private/);
  });
});

describe('blockedAddressReason: translation and tunnel ranges that can embed private IPv4', () => {
  it.each([
    ['64:ff9b::a9fe:a9fe', /an IPv4\/IPv6 translation \(NAT64\) address/],
    ['::ffff:0:7f00:1', /NAT64/],
    ['2002:7f00:1::1', /6to4/],
    ['2001::1', /teredo/],
    ['0.1.2.3', /is an unspecified address/],
    ['198.18.0.1', /reserved/],
    ['2001:db8::1', /reserved/],
  ])('blocks %s', (address, reason) => {
    expect(blockedAddressReason(address, strict)).toMatch(reason);
  });
});
