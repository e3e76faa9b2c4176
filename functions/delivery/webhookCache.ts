import type { Webhook } from '../../shared/domain/webhooks/webhook';

interface Entry {
  promise: Promise<Webhook | undefined>;
  expiresAt: number;
}

/**
 * Webhook rows kept in memory for a few seconds (default 5), so a batch of jobs for one webhook reads
 * the table once, while a rotation, URL change or disable reaches deliveries within that time.
 * Concurrent reads of one webhook share a request; a missing webhook is cached too (its jobs are all
 * skipped); a failed read is not cached. Changes this function makes itself are applied at once.
 */
export class WebhookCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly load: (workspaceId: string, webhookId: string) => Promise<Webhook | undefined>,
    private readonly options: { ttlMs: number; maxEntries?: number; now?: () => number },
  ) {}

  get(workspaceId: string, webhookId: string): Promise<Webhook | undefined> {
    const key = keyOf(workspaceId, webhookId);
    const now = this.options.now ?? Date.now;
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.expiresAt > now()) return cached.promise;

    const entry: Entry = { promise: this.load(workspaceId, webhookId), expiresAt: Number.POSITIVE_INFINITY };
    this.entries.delete(key);
    this.entries.set(key, entry);
    const maxEntries = this.options.maxEntries ?? 10_000;
    while (this.entries.size > maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    entry.promise.then(
      () => {
        entry.expiresAt = now() + this.options.ttlMs;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  /** Applies a change this function just wrote (failure run started, webhook disabled). */
  async patch(workspaceId: string, webhookId: string, changes: Partial<Webhook>): Promise<void> {
    const entry = this.entries.get(keyOf(workspaceId, webhookId));
    if (entry === undefined) return;
    const current = await entry.promise.catch(() => undefined);
    if (current !== undefined) Object.assign(current, changes);
  }
}

function keyOf(workspaceId: string, webhookId: string): string {
  return `${workspaceId}\u0000${webhookId}`;
}
