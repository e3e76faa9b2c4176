/** The webhook rows' endpoint-health fields as the simulated delivery containers see them. */

import type { ClearableHealthField, EndpointHealth } from '../../../shared/domain/health/endpointHealth';

/**
 * The endpoint-health fields of the webhook rows (consecutiveFailures, breakerOpenUntil, …) as the
 * delivery function keeps them in DynamoDB, with what a delivery container sees of them. Every write is
 * applied to the row at once (UpdateItem; the probe lease is a conditional write on the row itself, as in
 * `WebhookStore.acquireProbeLease`), but containers read rows through a cache
 * (`WEBHOOK_CACHE_TTL_SECONDS`, 5 s), so admission decisions see a change `visibleAfterMs` later. The
 * model uses one delay for every container: a container that made the change sees it at once in
 * production (it patches its cache), the others within the TTL; the default is the TTL's mean.
 * The decisions themselves are `shared/domain/health/endpointHealth.ts`, called by the handler model.
 */
export class EndpointHealthTable {
  private readonly rows = new Map<number, EndpointHealth>();
  /** Per webhook, changes not yet visible to the containers, oldest first: [visibleAt, row after]. */
  private readonly pending = new Map<number, [number, EndpointHealth][]>();
  private readonly visible = new Map<number, EndpointHealth>();
  /** DynamoDB writes the health bookkeeping cost (each UpdateItem, conditional ones included). */
  writes = 0;

  constructor(private readonly visibleAfterMs: number) {}

  /** The row as a delivery container's cache shows it at `nowMs`. */
  seenBy(webhookId: number, nowMs: number): EndpointHealth {
    const queue = this.pending.get(webhookId);
    while (queue !== undefined && queue.length > 0 && (queue[0] as [number, EndpointHealth])[0] <= nowMs) {
      this.visible.set(webhookId, (queue.shift() as [number, EndpointHealth])[1]);
    }
    return this.visible.get(webhookId) ?? {};
  }

  /** A failed attempt that made a request: the count goes up (UpdateItem ADD); returns the row after it. */
  recordFailure(webhookId: number, nowMs: number): EndpointHealth {
    const row = this.row(webhookId);
    return this.write(webhookId, nowMs, { ...row, consecutiveFailures: (row.consecutiveFailures ?? 0) + 1 });
  }

  /** A success: removes the fields `healthClearedBySuccess` chose (called only when there are some). */
  recordSuccess(webhookId: number, nowMs: number, fields: readonly ClearableHealthField[]): void {
    const after: EndpointHealth & { failingSince?: string } = { ...this.row(webhookId) };
    for (const field of fields) delete after[field];
    this.write(webhookId, nowMs, after);
  }

  openBreaker(
    webhookId: number,
    nowMs: number,
    breaker: { breakerOpenUntil: number; breakerOpenings: number },
  ) {
    const { probeLeaseUntil: _released, ...row } = this.row(webhookId);
    this.write(webhookId, nowMs, { ...row, ...breaker });
  }

  markSlow(webhookId: number, nowMs: number, until: number): void {
    this.write(webhookId, nowMs, { ...this.row(webhookId), slowUntil: until });
  }

  /** The conditional write on the row: won only if no unexpired lease is held (whatever caches show). */
  acquireProbeLease(webhookId: number, nowMs: number, leaseMs: number): boolean {
    const row = this.row(webhookId);
    this.writes += 1;
    if (row.probeLeaseUntil !== undefined && nowMs < row.probeLeaseUntil) return false;
    this.write(webhookId, nowMs, { ...row, probeLeaseUntil: nowMs + leaseMs }, false);
    return true;
  }

  private row(webhookId: number): EndpointHealth {
    return this.rows.get(webhookId) ?? {};
  }

  private write(webhookId: number, nowMs: number, after: EndpointHealth, counted = true): EndpointHealth {
    if (counted) this.writes += 1;
    this.rows.set(webhookId, after);
    const queue = this.pending.get(webhookId) ?? [];
    queue.push([nowMs + this.visibleAfterMs, after]);
    this.pending.set(webhookId, queue);
    return after;
  }
}
