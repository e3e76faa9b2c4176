/** Webhook rows the delivery function keeps in memory for a few seconds. */

import { LRUCache } from 'lru-cache';
import type { Webhook } from '../../shared/domain/webhooks/webhook';

/** A webhook that does not exist (lru-cache keeps no `undefined`): its jobs are all skipped. */
const MISSING = Symbol('missing webhook');
type Row = Readonly<Webhook> | typeof MISSING;
type RowKey = { workspaceId: string; webhookId: string };

/**
 * Webhook rows kept in memory for a few seconds (default 5), so a batch of jobs for one webhook reads
 * the table once, while a rotation, URL change or disable reaches deliveries within that time.
 * lru-cache (https://github.com/isaacs/node-lru-cache#fetch): concurrent reads of one webhook share a
 * request, a failed read is not cached, the time to live starts when the row arrives, and the least
 * recently used rows go first beyond `maxEntries`. A missing webhook is cached too. A `ttlMs` of 0
 * turns the cache off: every lookup reads the table.
 *
 * Rows are frozen: every job of a batch holds the same object, so a change is a new row, never an
 * edit of one a job is reading. Changes this function makes itself are applied at once (`patch`).
 */
export class WebhookCache {
  private readonly rows: LRUCache<string, Row, RowKey> | undefined;

  constructor(
    private readonly load: (workspaceId: string, webhookId: string) => Promise<Webhook | undefined>,
    options: { ttlMs: number; maxEntries?: number; now?: () => number },
  ) {
    this.rows =
      options.ttlMs <= 0
        ? undefined
        : new LRUCache<string, Row, RowKey>({
            max: options.maxEntries ?? 10_000,
            ttl: options.ttlMs,
            // Exact expiry against the clock (lru-cache would reuse a reading for up to 1 ms).
            ttlResolution: 0,
            ...(options.now === undefined ? {} : { perf: { now: options.now } }),
            // `patch` may forget a row whose read is in flight: that read still answers its callers.
            ignoreFetchAbort: true,
            fetchMethod: async (_key, _stale, { context }) =>
              frozen(await load(context.workspaceId, context.webhookId)),
          });
  }

  async get(workspaceId: string, webhookId: string): Promise<Readonly<Webhook> | undefined> {
    if (this.rows === undefined) {
      const webhook = await this.load(workspaceId, webhookId);
      return webhook && Object.freeze(webhook);
    }
    const row = await this.rows.forceFetch(keyOf(workspaceId, webhookId), {
      context: { workspaceId, webhookId },
    });
    return row === MISSING ? undefined : row;
  }

  /** The row as this container knows it now, without a read: undefined unless fresh and cached. */
  cached(workspaceId: string, webhookId: string): Readonly<Webhook> | undefined {
    const row = this.rows?.peek(keyOf(workspaceId, webhookId));
    return row === MISSING ? undefined : row;
  }

  /**
   * Applies a change this function just wrote (failure run started, webhook disabled) to a fresh
   * cached row, as a new row that keeps the old one's time to live. A row that is being read or has
   * expired is forgotten instead: the next lookup reads the table, change included.
   */
  patch(workspaceId: string, webhookId: string, changes: Partial<Webhook>): void {
    if (this.rows === undefined) return;
    const key = keyOf(workspaceId, webhookId);
    const current = this.rows.peek(key);
    if (current === undefined || current === MISSING) {
      this.rows.delete(key);
      return;
    }
    this.rows.set(key, Object.freeze({ ...current, ...changes }), { noUpdateTTL: true });
  }
}

function frozen(webhook: Webhook | undefined): Row {
  return webhook === undefined ? MISSING : Object.freeze(webhook);
}

function keyOf(workspaceId: string, webhookId: string): string {
  return `${workspaceId}\u0000${webhookId}`;
}
