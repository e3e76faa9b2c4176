import type { Webhook } from '../../shared/domain/webhooks/webhook';

interface Entry {
  promise: Promise<Webhook[]>;
  expiresAt: number;
}

export interface ActiveWebhooksCacheOptions {
  ttlMs: number;
  /** Bounds memory when a container sees many workspaces; the oldest entries go first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A workspace's active webhooks, kept in memory for a short time so a busy stream does not read the
 * webhooks table for every batch. Concurrent lookups of one workspace share a single in-flight read;
 * a failed read is not cached. A webhook created, changed or disabled reaches the mapper within `ttlMs`.
 */
export class ActiveWebhooksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly load: (workspaceId: string) => Promise<Webhook[]>,
    private readonly options: ActiveWebhooksCacheOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(workspaceId: string): Promise<Webhook[]> {
    const cached = this.entries.get(workspaceId);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.promise;

    const entry: Entry = { promise: this.load(workspaceId), expiresAt: Number.POSITIVE_INFINITY };
    // Delete first so re-inserting moves the workspace to the end of the eviction order.
    this.entries.delete(workspaceId);
    this.entries.set(workspaceId, entry);
    this.evictOldest();
    entry.promise.then(
      () => {
        // The time to live starts when the answer arrives, not when the read started.
        entry.expiresAt = this.now() + this.options.ttlMs;
      },
      () => {
        if (this.entries.get(workspaceId) === entry) this.entries.delete(workspaceId);
      },
    );
    return entry.promise;
  }

  private evictOldest(): void {
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}
