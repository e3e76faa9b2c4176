/** Starts the local SQS (fauxqs behind the SQS rules guard) and creates the delivery queues. */

import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { patchFauxqsUnicodeCheck } from './fauxqsUnicodePatch';
import { type SqsRulesGuard, startSqsRulesGuard } from './sqsRulesGuard';

export interface DeliveryQueues {
  /** The primary lane. */
  deliveriesQueueUrl: string;
  /** The slow lane: retries and jobs of slow or failing endpoints. */
  slowLaneQueueUrl: string;
  deadLetterQueueUrl: string;
  mapperFailureQueueUrl: string;
}

export interface QueueSettings {
  /**
   * The deliveries queue's redrive maxReceiveCount: a crash-loop safety net (CDK: crashLoopMaxReceives).
   * Retries are new messages and the function dead-letters jobs itself after the last attempt.
   */
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** Queue name prefix, so several test files can share an emulator. */
  prefix?: string;
}

export interface SqsLocal {
  /** The endpoint clients use: the rules guard in front of fauxqs. */
  endpoint: string;
  port: number;
  /** fauxqs itself (queues are created on it directly; its own port is internal). */
  server: FauxqsServer;
  /** AWS's SQS rules that fauxqs does not enforce: violations, in-flight quota (sqsRulesGuard.ts). */
  guard: SqsRulesGuard;
  createDeliveryQueues(settings: QueueSettings): DeliveryQueues;
  stop(): Promise<void>;
}

export interface SqsLocalOptions {
  /** The port clients connect to (the guard's); 0 or unset = any free port. */
  port?: number;
  /** In-flight messages per queue before receives come back empty (AWS: about 120,000). */
  inFlightLimit?: number;
  /** The guard's clock, for the 12-hour visibility rule; default `Date.now`. */
  now?: () => number;
}

/**
 * Starts fauxqs in-process on loopback (quiet: `logger: false`), patched to accept the characters SQS
 * accepts, behind the SQS rules guard that rejects what SQS rejects and fauxqs does not.
 */
export async function startSqsLocal(options: SqsLocalOptions = {}): Promise<SqsLocal> {
  await patchFauxqsUnicodeCheck();
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  let guard: SqsRulesGuard;
  try {
    guard = await startSqsRulesGuard({
      upstream: `http://127.0.0.1:${server.port}`,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.inFlightLimit === undefined ? {} : { inFlightLimit: options.inFlightLimit }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    endpoint: guard.endpoint,
    port: guard.port,
    server,
    guard,
    createDeliveryQueues({ maxReceiveCount, visibilityTimeoutSeconds, prefix = '' }) {
      const fourteenDays = String(14 * 24 * 3600);
      const dlq = server.createQueue(`${prefix}deliveries-dlq`, {
        attributes: { MessageRetentionPeriod: fourteenDays },
      });
      const deliveries = server.createQueue(`${prefix}deliveries`, {
        attributes: {
          MessageRetentionPeriod: fourteenDays,
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
        },
      });
      const slowLane = server.createQueue(`${prefix}deliveries-slow`, {
        attributes: {
          MessageRetentionPeriod: fourteenDays,
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
        },
      });
      const failures = server.createQueue(`${prefix}mapper-failures`, {
        attributes: { MessageRetentionPeriod: fourteenDays },
      });
      return {
        deliveriesQueueUrl: deliveries.queueUrl,
        slowLaneQueueUrl: slowLane.queueUrl,
        deadLetterQueueUrl: dlq.queueUrl,
        mapperFailureQueueUrl: failures.queueUrl,
      };
    },
    async stop() {
      await guard.stop();
      await server.stop();
    },
  };
}
