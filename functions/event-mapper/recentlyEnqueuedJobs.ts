/**
 * Delivery ids this container has enqueued lately. When Lambda retries a stream batch from a failed
 * record, the records after it come back too; their jobs are already on the queue (SQS acknowledged
 * them), so they are not sent again. Receivers could de-duplicate on `webhook-id`, but fewer duplicates
 * mean fewer requests for them and fewer messages for us. Bounded: the oldest ids are forgotten first.
 */
export class RecentlyEnqueuedJobs {
  private readonly ids = new Set<string>();

  constructor(private readonly maxEntries = 50_000) {}

  has(deliveryId: string): boolean {
    return this.ids.has(deliveryId);
  }

  add(deliveryId: string): void {
    this.ids.add(deliveryId);
    while (this.ids.size > this.maxEntries) {
      const oldest = this.ids.values().next().value;
      if (oldest === undefined) return;
      this.ids.delete(oldest);
    }
  }
}
