/**
 * The jobs one invocation sends on (retries, waits, slow lane, dead letters), gathered to be sent in batches.
 */

import { type DeliveryJob, encodeDeliveryJob } from '../../shared/domain/delivery/deliveryJob';

/**
 * Where an outgoing job goes: the deliveries queue (the primary lane), the slow lane (retries, jobs of
 * slow or failing endpoints) or the SQS dead-letter queue.
 */
export type JobDestination = 'deliveries' | 'slow-lane' | 'dead-letter';

export interface OutgoingJob {
  destination: JobDestination;
  job: DeliveryJob;
  /** SQS DelaySeconds, 0–900. */
  delaySeconds: number;
}

export interface QueuedJob extends OutgoingJob {
  /** The received message this one replaces: it may only be acknowledged once this one is sent. */
  receivedMessageId: string;
  body: string;
}

/**
 * The messages one invocation sends, gathered so they go out in SendMessageBatch requests of ten
 * after every job of the batch is done, instead of one SendMessage per failed job.
 */
export class JobOutbox {
  readonly queued: QueuedJob[] = [];

  add(receivedMessageId: string, outgoing: OutgoingJob): void {
    this.queued.push({ ...outgoing, receivedMessageId, body: encodeDeliveryJob(outgoing.job) });
  }

  /** Drops what a job queued before it failed with an internal error (it is handled as a whole). */
  discard(receivedMessageId: string): void {
    for (let i = this.queued.length - 1; i >= 0; i--) {
      if (this.queued[i]?.receivedMessageId === receivedMessageId) this.queued.splice(i, 1);
    }
  }
}
