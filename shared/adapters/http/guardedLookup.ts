/** DNS lookup for outbound webhook requests that drops blocked addresses. */

import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { type AddressPolicy, blockedAddressReason } from '../../domain/network/blockedAddress';
import { BlockedAddressError } from './blockedAddressError';

/** Resolves a host name to all its addresses (the injectable part: tests map names to chosen IPs). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithSystemDns: ResolveHost = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for `net.connect` that drops every blocked address from the answer and fails with
 * `BlockedAddressError` when none is left. Because the socket can only dial what this returns, a
 * name that resolves to a private address (DNS rebinding included) is refused before connecting.
 */
export function createGuardedLookup(policy: AddressPolicy, resolveHost: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const reasons: string[] = [];
        const allowed = addresses.filter((entry) => {
          if (family && entry.family !== family) return false;
          const reason = blockedAddressReason(entry.address, policy);
          if (reason !== undefined) reasons.push(reason);
          return reason === undefined;
        });
        const first = allowed[0];
        if (first === undefined) {
          const why = reasons.length > 0 ? reasons.join(', ') : 'no address';
          callback(new BlockedAddressError(`${hostname} resolves only to blocked addresses (${why})`), '', 0);
          return;
        }
        if (options.all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, allowed);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
