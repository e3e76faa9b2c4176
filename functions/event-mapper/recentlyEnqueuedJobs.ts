/** The jobs the event mapper enqueued lately, so a retried stream batch does not send them again. */

import { LRUCache } from 'lru-cache';

/**
 * The jobs this container has enqueued lately, as (event id → webhook ids). When Lambda retries a
 * stream batch from a failed record, the records after it come back too; their jobs are already on
 * the queue (SQS acknowledged them), so they are not sent again. Receivers could de-duplicate on
 * `webhook-id`, but fewer duplicates mean fewer requests for them and fewer messages for us.
 *
 * Keyed by event rather than by delivery id: one lookup and one insertion per record instead of one
 * per job, and the webhook-id arrays are usually shared by every event of a batch (measured by
 * `npm run bench`: ten Set operations per record on a 50 000-entry Set cost more than the record's
 * whole conversion to JSON). Bounded by lru-cache: the event written longest ago is forgotten first
 * (lookups use `peek`, so a lookup does not keep an event).
 */
export class RecentlyEnqueuedJobs {
  /** Undefined with a bound of 0: nothing is remembered. */
  private readonly webhooksByEvent: LRUCache<string, readonly string[]> | undefined;

  constructor(maxEvents = 10_000) {
    this.webhooksByEvent = maxEvents <= 0 ? undefined : new LRUCache({ max: maxEvents });
  }

  /** Webhook ids whose job for this event SQS accepted lately (undefined: none remembered). */
  enqueuedWebhooks(eventId: string): readonly string[] | undefined {
    return this.webhooksByEvent?.peek(eventId);
  }

  /** Remembers that the jobs of `eventId` for `webhookIds` are on the queue (adds to what was known). */
  add(eventId: string, webhookIds: readonly string[]): void {
    if (this.webhooksByEvent === undefined || webhookIds.length === 0) return;
    const known = this.webhooksByEvent.peek(eventId);
    if (known === undefined) {
      this.webhooksByEvent.set(eventId, webhookIds);
      return;
    }
    const added = webhookIds.filter((id) => !known.includes(id));
    if (added.length > 0) this.webhooksByEvent.set(eventId, Object.freeze([...known, ...added]));
  }
}
