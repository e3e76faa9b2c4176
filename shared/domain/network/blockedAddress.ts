/**
 * The addresses outbound webhook requests must never reach (private, loopback, metadata, reserved ranges).
 */

import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  /** Local mode only: lets webhooks target 127.0.0.0/8 and ::1. Never set on AWS. */
  allowLoopback: boolean;
}

/**
 * Why an IP address must not be the target of an outbound webhook request, or undefined if it is a
 * public unicast address. Covers private, loopback, link-local (cloud metadata), CGNAT, multicast,
 * unspecified, reserved and translation ranges, for IPv4 and IPv6, IPv4-mapped and IPv4-compatible
 * IPv6 included.
 */
export function blockedAddressReason(address: string, policy: AddressPolicy): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(withoutDottedTail(address.startsWith('[') ? address.slice(1, -1) : address));
  } catch {
    return `"${address}" is not an IP address`;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::ffff:a.b.c.d and the zone-less forms reach the IPv4 address: judge that address.
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (isIPv4Compatible(v6)) return ipv4CompatibleReason(v6);
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  const description = describeRange(range);
  return `${parsed.toString()} is ${/^[aeiou]/i.test(description) ? 'an' : 'a'} ${description} address`;
}

/**
 * IPv6 with a dotted IPv4 tail in the WHATWG URL parser's canonical hex form (`::127.0.0.1` →
 * `::7f00:1`). ipaddr.js reads `::a.b.c.d` as the IPv4-*mapped* `::ffff:a.b.c.d`, which would hide an
 * IPv4-compatible address; the URL parser is the one that decides what a webhook URL dials.
 */
function withoutDottedTail(address: string): string {
  if (!address.includes(':') || !address.includes('.')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/**
 * `::/96` other than `::` and `::1`: the deprecated "IPv4-compatible IPv6 address" (RFC 4291 §2.5.5.1).
 * ipaddr.js calls the range unicast, yet some stacks deliver `::127.0.0.1` or `::a9fe:a9fe` to the
 * embedded IPv4 address (loopback, cloud metadata). No legitimate receiver uses one, so the whole
 * range is refused, whatever it embeds.
 */
function isIPv4Compatible(address: ipaddr.IPv6): boolean {
  const parts = address.parts;
  return parts.slice(0, 6).every((part) => part === 0) && ((parts[6] ?? 0) !== 0 || (parts[7] ?? 0) > 1);
}

function ipv4CompatibleReason(address: ipaddr.IPv6): string {
  const [high = 0, low = 0] = address.parts.slice(6);
  const embedded = ipaddr.fromByteArray([high >> 8, high & 0xff, low >> 8, low & 0xff]).toString();
  return `${address.toString()} is an IPv4-compatible IPv6 address (deprecated, embeds ${embedded})`;
}

function describeRange(range: string): string {
  switch (range) {
    case 'private':
    case 'uniqueLocal':
      return 'private';
    case 'linkLocal':
      return 'link-local (cloud metadata)';
    case 'carrierGradeNat':
      return 'carrier-grade NAT';
    // Translation and tunnel ranges can embed a private IPv4 address.
    case 'rfc6052':
    case 'rfc6145':
      return 'IPv4/IPv6 translation (NAT64)';
    default:
      return range;
  }
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)$|^ip6-(localhost|loopback)$/i;

/**
 * Why a URL host (as `new URL(...).hostname` gives it) is refused before any DNS lookup, or undefined.
 * The WHATWG URL parser already turns decimal, octal and hex IPv4 forms into dotted quads.
 */
export function blockedHostReason(hostname: string, policy: AddressPolicy): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal)) {
    return blockedAddressReason(literal, policy);
  }
  if (LOCAL_NAMES.test(host)) {
    if (policy.allowLoopback && /^(localhost|ip6-localhost|ip6-loopback)$/.test(host)) return undefined;
    return `host "${hostname}" names a local or internal network`;
  }
  if (!host.includes('.')) return `host "${hostname}" is not a fully qualified domain name`;
  return undefined;
}
