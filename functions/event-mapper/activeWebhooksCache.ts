/** Each workspace's active webhooks, kept in memory by the event mapper for a few seconds. */

import { LRUCache } from 'lru-cache';
import type { Webhook } from '../../shared/domain/webhooks/webhook';

/** A workspace's active webhooks, frozen: every batch of the container shares the same list. */
type ActiveWebhooks = readonly Readonly<Webhook>[];

export interface ActiveWebhooksCacheOptions {
  /** How long a workspace's list is reused, counted from when it arrived; 0 reads on every lookup. */
  ttlMs: number;
  /** Bounds memory when a container sees many workspaces; the least recently used go first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A workspace's active webhooks, kept in memory for a short time so a busy stream does not read the
 * webhooks table for every batch. lru-cache (https://github.com/isaacs/node-lru-cache#fetch):
 * concurrent lookups of one workspace share a single in-flight read, a failed read is not cached, and
 * the time to live starts when the answer arrives. A webhook created, changed or disabled reaches the
 * mapper within `ttlMs`.
 */
export class ActiveWebhooksCache {
  private readonly lists: LRUCache<string, ActiveWebhooks> | undefined;

  constructor(
    private readonly load: (workspaceId: string) => Promise<Webhook[]>,
    options: ActiveWebhooksCacheOptions,
  ) {
    this.lists =
      options.ttlMs <= 0
        ? undefined
        : new LRUCache<string, ActiveWebhooks>({
            max: options.maxEntries ?? 10_000,
            ttl: options.ttlMs,
            // Exact expiry against the clock (lru-cache would reuse a reading for up to 1 ms).
            ttlResolution: 0,
            ...(options.now === undefined ? {} : { perf: { now: options.now } }),
            fetchMethod: async (workspaceId) => frozen(await load(workspaceId)),
          });
  }

  async get(workspaceId: string): Promise<ActiveWebhooks> {
    if (this.lists === undefined) return frozen(await this.load(workspaceId));
    return this.lists.forceFetch(workspaceId);
  }
}

function frozen(webhooks: Webhook[]): ActiveWebhooks {
  for (const webhook of webhooks) Object.freeze(webhook);
  return Object.freeze(webhooks);
}
