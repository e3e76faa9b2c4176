/**
 * Delivery ids this container has enqueued lately. When Lambda retries a stream batch from a failed
 * record, the records after it come back too; their jobs are already on the queue (SQS acknowledged
 * them), so they are not sent again. Receivers could de-duplicate on `webhook-id`, but fewer duplicates
 * mean fewer requests for them and fewer messages for us. Bounded: the oldest ids are forgotten first.
 *
 * The insertion order lives in a ring buffer rather than in the Set: evicting through
 * `set.values().next()` walks over the holes earlier deletes left at the front of V8's hash table,
 * which made every add cost ~18 µs once the bound was reached (measured by `npm run bench`).
 */
export class RecentlyEnqueuedJobs {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(private readonly maxEntries = 50_000) {}

  has(deliveryId: string): boolean {
    return this.ids.has(deliveryId);
  }

  add(deliveryId: string): void {
    if (this.maxEntries <= 0 || this.ids.has(deliveryId)) return;
    if (this.order.length < this.maxEntries) {
      this.order.push(deliveryId);
    } else {
      this.ids.delete(this.order[this.oldest] as string);
      this.order[this.oldest] = deliveryId;
      this.oldest = (this.oldest + 1) % this.maxEntries;
    }
    this.ids.add(deliveryId);
  }
}
