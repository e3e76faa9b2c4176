import { type FauxqsServer, startFauxqs } from 'fauxqs';

export interface DeliveryQueues {
  deliveriesQueueUrl: string;
  deadLetterQueueUrl: string;
  mapperFailureQueueUrl: string;
}

export interface QueueSettings {
  /** Receives before SQS moves a job to the DLQ: the retry policy's attempts (CDK uses the same). */
  maxAttempts: number;
  visibilityTimeoutSeconds: number;
  /** Queue name prefix, so several test files can share an emulator. */
  prefix?: string;
}

export interface SqsLocal {
  endpoint: string;
  port: number;
  server: FauxqsServer;
  createDeliveryQueues(settings: QueueSettings): DeliveryQueues;
  stop(): Promise<void>;
}

/** Starts fauxqs in-process on loopback (quiet: `logger: false`). */
export async function startSqsLocal(options: { port?: number } = {}): Promise<SqsLocal> {
  const server = await startFauxqs({ port: options.port ?? 0, host: '127.0.0.1', logger: false });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    server,
    createDeliveryQueues({ maxAttempts, visibilityTimeoutSeconds, prefix = '' }) {
      const fourteenDays = String(14 * 24 * 3600);
      const dlq = server.createQueue(`${prefix}deliveries-dlq`, {
        attributes: { MessageRetentionPeriod: fourteenDays },
      });
      const deliveries = server.createQueue(`${prefix}deliveries`, {
        attributes: {
          MessageRetentionPeriod: fourteenDays,
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: maxAttempts }),
        },
      });
      const failures = server.createQueue(`${prefix}mapper-failures`, {
        attributes: { MessageRetentionPeriod: fourteenDays },
      });
      return {
        deliveriesQueueUrl: deliveries.queueUrl,
        deadLetterQueueUrl: dlq.queueUrl,
        mapperFailureQueueUrl: failures.queueUrl,
      };
    },
    stop: () => server.stop(),
  };
}
