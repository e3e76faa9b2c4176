/**
 * The shared state behind the limits, one per deployment (DynamoDB in production, see
 * `shared/adapters/dynamodb/deliveryLimiterStore.ts`). Every delivery container asks the same one, so
 * the limits hold across containers.
 */
export interface DeliveryLimiter {
  /**
   * Reserves the webhook's next rate slot (`reserveRateSlot` done atomically) and returns its time,
   * epoch ms: `nowMs` when the limiter was idle, later when earlier jobs hold the slots before it.
   */
  reserveRateSlot(webhookId: string, intervalMs: number, nowMs: number): Promise<number>;
  /** Claims one of `max` concurrency leases until `expiryMs`, or says when the first one expires. */
  acquireLease(webhookId: string, max: number, nowMs: number, expiryMs: number): Promise<LeaseAcquisition>;
}

export type LeaseAcquisition =
  | {
      kind: 'held' /** Gives the lease back; a lease never released expires on its own. */;
      release(): Promise<void>;
    }
  | { kind: 'full'; earliestExpiryMs: number };
