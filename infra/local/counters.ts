/** The local runtime's pipeline counters (changes read, jobs delivered, failures) and their one-line form. */

import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SqsBatchResult } from './sqsPoller';
import type { StreamBatchResult } from './streamPoller';

export interface CounterSnapshot {
  /** CRM changes read from the streams and handed to the event mapper. */
  events: number;
  /** Delivery jobs acknowledged by the delivery function (removed from the queue). */
  delivered: number;
  /** Delivery jobs waiting on the queue for their next attempt. */
  retrying: number;
  /** Delivery jobs in the dead-letter queue. */
  deadLettered: number;
  /** Stream batches the event mapper gave up on (sent to the mapper failure queue). */
  mapperFailures: number;
}

/**
 * The live figures `npm start` shows. Events and deliveries are counted from what the pollers see;
 * retrying and dead-lettered are read from the queues, so they include jobs from before a redrive.
 */
export class PipelineCounters {
  private events = 0;
  private delivered = 0;
  private mapperFailures = 0;
  private retrying = 0;
  private deadLettered = 0;

  recordStreamBatch(result: StreamBatchResult): void {
    this.events += result.records - result.sentToFailureDestination;
    this.mapperFailures += result.sentToFailureDestination;
  }

  recordSqsBatch(result: SqsBatchResult): void {
    this.delivered += result.deleted;
  }

  /** Reads the queue gauges; `inFlight` jobs (being attempted right now) are not counted as retrying. */
  async refreshQueueGauges(
    sqs: SQSClient,
    queues: { deliveriesQueueUrl: string; slowLaneQueueUrl?: string; deadLetterQueueUrl: string },
    inFlight: number,
  ): Promise<void> {
    const read = async (queueUrl: string) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        hidden:
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    };
    const [deliveries, dlq, slowLane] = await Promise.all([
      read(queues.deliveriesQueueUrl),
      read(queues.deadLetterQueueUrl),
      queues.slowLaneQueueUrl === undefined ? { visible: 0, hidden: 0 } : read(queues.slowLaneQueueUrl),
    ]);
    // Retries wait as delayed messages in the slow lane; jobs of slow endpoints wait there too.
    this.retrying = Math.max(0, deliveries.hidden + slowLane.visible + slowLane.hidden - inFlight);
    this.deadLettered = dlq.visible + dlq.hidden;
  }

  snapshot(): CounterSnapshot {
    return {
      events: this.events,
      delivered: this.delivered,
      retrying: this.retrying,
      deadLettered: this.deadLettered,
      mapperFailures: this.mapperFailures,
    };
  }
}

export function formatCounters(snapshot: CounterSnapshot): string {
  const parts = [
    `events ${snapshot.events}`,
    `delivered ${snapshot.delivered}`,
    `retrying ${snapshot.retrying}`,
    `dead-lettered ${snapshot.deadLettered}`,
  ];
  if (snapshot.mapperFailures > 0) parts.push(`mapper failures ${snapshot.mapperFailures}`);
  return parts.join(' · ');
}
