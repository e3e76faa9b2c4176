/** The undici connector that refuses blocked targets (SSRF) before any byte is written. */

import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { buildConnector, errors } from 'undici';
import { type AddressPolicy, blockedAddressReason } from '../../domain/network/blockedAddress';
import { BlockedAddressError } from './blockedAddressError';
import { createGuardedLookup, type ResolveHost } from './guardedLookup';

/**
 * Why the peer a socket is connected to must not receive a webhook, or undefined when it may.
 * The last line of the SSRF defence: whatever the resolver said, this is the address actually dialled.
 */
export function connectedAddressReason(socket: Socket, policy: AddressPolicy): string | undefined {
  const remote = socket.remoteAddress;
  if (remote === undefined) return 'the connected peer address is unknown';
  return blockedAddressReason(remote, policy);
}

/**
 * An undici connector that refuses blocked targets before any byte is written:
 * - IP-literal hosts (which `net.connect` never looks up) are judged directly;
 * - names are resolved through `createGuardedLookup`, which drops blocked addresses;
 * - once TCP is connected, the peer address is checked again, *before* the TLS ClientHello or the
 *   HTTP request goes out (TLS is layered onto the already-verified TCP socket).
 */
export function createGuardedConnector({
  policy,
  resolveHost,
  connectTimeoutMs,
}: {
  policy: AddressPolicy;
  resolveHost: ResolveHost;
  connectTimeoutMs: number;
}): buildConnector.connector {
  const lookup = createGuardedLookup(policy, resolveHost);
  const tlsOverVerifiedSocket = buildConnector({ timeout: connectTimeoutMs });

  return (options, callback) => {
    if (isIP(options.hostname) !== 0) {
      const reason = blockedAddressReason(options.hostname, policy);
      if (reason !== undefined) {
        callback(new BlockedAddressError(reason), null);
        return;
      }
    }
    const https = options.protocol === 'https:';
    const port = Number(options.port) || (https ? 443 : 80);
    const socket = tcpConnect({ host: options.hostname, port, lookup });
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', settle);
      if (error) {
        socket.destroy();
        callback(error, null);
        return;
      }
      const reason = connectedAddressReason(socket, policy);
      if (reason !== undefined) {
        socket.destroy();
        callback(new BlockedAddressError(reason), null);
        return;
      }
      socket.setNoDelay(true).setKeepAlive(true, 60_000);
      if (https) {
        tlsOverVerifiedSocket({ ...options, httpSocket: socket }, callback);
      } else {
        callback(null, socket);
      }
    };
    const timer = setTimeout(
      () => settle(new errors.ConnectTimeoutError(`connect to ${options.hostname} timed out`)),
      connectTimeoutMs,
    );
    socket.once('connect', () => settle(null));
    socket.once('error', settle);
  };
}
