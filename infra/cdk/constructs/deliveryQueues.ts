/** The deliveries queue, the slow lane and the dead-letter queue. */

import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeTerminalQueue } from './nagAcknowledgements';

const FOURTEEN_DAYS = Duration.days(14);

export interface DeliveryQueuesProps {
  /**
   * Receives of one message before SQS moves it to the DLQ. Not the retry count: each attempt is a new
   * message (received once), and the function dead-letters jobs itself after the last attempt. This
   * only catches crash loops (a job whose invocation keeps timing out or crashing).
   */
  crashLoopMaxReceives: number;
  /** Timeout of the function consuming the deliveries queue. */
  deliveryFunctionTimeoutSeconds: number;
}

/**
 * The deliveries queue (one message per event x webhook), its dead-letter queue and the event mapper's
 * on-failure queue. All SSE-encrypted with SQS-managed keys, TLS-only, 14 days retention (the maximum,
 * so an operator has two weeks to notice and redrive).
 */
export class DeliveryQueues extends Construct {
  /** The primary lane. */
  readonly deliveries: Queue;
  /** The slow lane: retries and jobs of slow or failing endpoints (its own event source and concurrency). */
  readonly slowLane: Queue;
  readonly deadLetter: Queue;
  readonly mapperFailures: Queue;

  constructor(scope: Construct, id: string, props: DeliveryQueuesProps) {
    super(scope, id);

    this.deadLetter = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FOURTEEN_DAYS,
    });
    acknowledgeTerminalQueue(
      this.deadLetter,
      'This is the dead-letter queue of the deliveries queue. The delivery function sends jobs here after their last attempt (and indexes them per webhook for the redrive API); the redrive policy adds jobs that crash-looped. An alarm watches the rate of dead-lettered jobs.',
    );

    this.deliveries = new Queue(this, 'DeliveriesQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FOURTEEN_DAYS,
      // AWS's guidance for Lambda consumers: at least 6x the function timeout, so a message is not
      // received again while a (retried) invocation still works on it.
      visibilityTimeout: Duration.seconds(props.deliveryFunctionTimeoutSeconds * 6),
      deadLetterQueue: { queue: this.deadLetter, maxReceiveCount: props.crashLoopMaxReceives },
    });

    this.slowLane = new Queue(this, 'SlowLaneQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FOURTEEN_DAYS,
      visibilityTimeout: Duration.seconds(props.deliveryFunctionTimeoutSeconds * 6),
      deadLetterQueue: { queue: this.deadLetter, maxReceiveCount: props.crashLoopMaxReceives },
    });

    this.mapperFailures = new Queue(this, 'MapperFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FOURTEEN_DAYS,
    });
    acknowledgeTerminalQueue(
      this.mapperFailures,
      "This is the event mapper's on-failure destination: it holds descriptions of stream batches that exhausted their retries, for an operator to investigate (an alarm fires while it is not empty). Nothing consumes it automatically, so it needs no DLQ of its own.",
    );
  }
}
