/**
 * The per-webhook concurrency cap as leases: the limiter item holds one attribute per held slot
 * (slot index → lease expiry, epoch ms). A lease expires on its own, so a container that dies mid
 * request (out of memory, timeout) blocks its slot only until then: leases cannot leak.
 */

/** Lease slots by index; a missing index is free. */
export type LeaseSlots = ReadonlyMap<number, number>;

/**
 * How long a lease lasts: the request's own timeout plus a margin for signing, connecting and the
 * release write. A lease is released as soon as the request ends; expiry only matters when the
 * holder never gets to release it.
 */
export const LEASE_MARGIN_MS = 5_000;

export function leaseExpiryMs(nowMs: number, requestTimeoutMs: number): number {
  return nowMs + requestTimeoutMs + LEASE_MARGIN_MS;
}

export function isLeaseLive(expiryMs: number | undefined, nowMs: number): boolean {
  return expiryMs !== undefined && expiryMs > nowMs;
}

export type LeaseChoice =
  | { kind: 'free'; slot: number }
  | {
      kind: 'full' /** When the first live lease expires at the latest (epoch ms). */;
      earliestExpiryMs: number;
    };

/**
 * Picks a slot to claim among `0 … max-1`: a free or expired one, chosen at random so containers
 * racing for slots rarely pick the same one. Live leases are counted over every index, so lowering
 * `max` while requests are in flight admits nothing new until they drop below it.
 */
export function pickLeaseSlot(
  slots: LeaseSlots,
  max: number,
  nowMs: number,
  random: () => number,
): LeaseChoice {
  let live = 0;
  let earliestExpiryMs = Number.POSITIVE_INFINITY;
  for (const expiry of slots.values()) {
    if (!isLeaseLive(expiry, nowMs)) continue;
    live += 1;
    earliestExpiryMs = Math.min(earliestExpiryMs, expiry);
  }
  const free: number[] = [];
  if (live < max) {
    for (let slot = 0; slot < max; slot++) if (!isLeaseLive(slots.get(slot), nowMs)) free.push(slot);
  }
  if (free.length === 0) return { kind: 'full', earliestExpiryMs };
  return {
    kind: 'free',
    slot: free[Math.min(free.length - 1, Math.floor(random() * free.length))] as number,
  };
}
