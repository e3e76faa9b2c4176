/**
 * The jobs this container has enqueued lately, as (event id → webhook ids). When Lambda retries a
 * stream batch from a failed record, the records after it come back too; their jobs are already on
 * the queue (SQS acknowledged them), so they are not sent again. Receivers could de-duplicate on
 * `webhook-id`, but fewer duplicates mean fewer requests for them and fewer messages for us.
 *
 * Keyed by event rather than by delivery id: one lookup and one insertion per record instead of one
 * per job, and the webhook-id arrays are usually shared by every event of a batch (measured by
 * `npm run bench`: ten Set operations per record on a 50 000-entry Set cost more than the record's
 * whole conversion to JSON). Bounded: the oldest events are forgotten first; the insertion order lives
 * in a ring buffer because evicting through `map.keys().next()` walks over the holes earlier deletes
 * left at the front of V8's hash table.
 */
export class RecentlyEnqueuedJobs {
  private readonly webhooksByEvent = new Map<string, readonly string[]>();
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(private readonly maxEvents = 10_000) {}

  /** Webhook ids whose job for this event SQS accepted lately (undefined: none remembered). */
  enqueuedWebhooks(eventId: string): readonly string[] | undefined {
    return this.webhooksByEvent.get(eventId);
  }

  /** Remembers that the jobs of `eventId` for `webhookIds` are on the queue (adds to what was known). */
  add(eventId: string, webhookIds: readonly string[]): void {
    if (this.maxEvents <= 0 || webhookIds.length === 0) return;
    const known = this.webhooksByEvent.get(eventId);
    if (known !== undefined) {
      const added = webhookIds.filter((id) => !known.includes(id));
      if (added.length > 0) this.webhooksByEvent.set(eventId, [...known, ...added]);
      return;
    }
    if (this.order.length < this.maxEvents) {
      this.order.push(eventId);
    } else {
      this.webhooksByEvent.delete(this.order[this.oldest] as string);
      this.order[this.oldest] = eventId;
      this.oldest = (this.oldest + 1) % this.maxEvents;
    }
    this.webhooksByEvent.set(eventId, webhookIds);
  }
}
