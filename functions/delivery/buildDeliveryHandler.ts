import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { BatchRecordResult, DeliveryAttempt } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { nextVisibilityDelaySeconds } from '../../shared/domain/retry';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { publishMetrics } from '../../shared/observability/publishMetrics';
import type { DeliveryConfig } from './config';
import { type DeliveryPorts, deliverJob, errorName } from './deliverJob';
import { type DeliveryMetrics, powertoolsDeliveryMetrics } from './deliveryMetrics';
import { logger as defaultLogger, metrics as defaultMetrics } from './observability';
import { runWithConcurrency } from './runWithConcurrency';
import { WebhookCache } from './webhookCache';

/** Time kept free at the end of an invocation for attempt logs, visibility changes and the response. */
export const SAFETY_MARGIN_MS = 3_000;
/** A job is not started with less request time than this left; SQS redelivers it instead. */
export const MIN_REQUEST_BUDGET_MS = 1_000;

export interface DeliveryDependencies {
  webhookStore: DeliveryPorts['webhookWrites'] & {
    get(workspaceId: string, id: string): Promise<Webhook | undefined>;
  };
  /** Every attempt of an invocation is written in one go at its end (`DeliveryLogStore.recordBatch`). */
  deliveryLog: {
    recordBatch(attempts: readonly DeliveryAttempt[], ttlDays: number): Promise<BatchRecordResult>;
  };
  visibility: DeliveryPorts['visibility'];
  signingSecrets: DeliveryPorts['signingSecrets'];
  http: DeliveryPorts['http'];
  logger?: Logger;
  metrics?: Metrics;
  /** Replaces the EMF metrics (tests record what was counted). */
  deliveryMetrics?: DeliveryMetrics;
  now?: () => Date;
  random?: () => number;
}

export type DeliveryHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The deliveries queue handler. Jobs of a batch run concurrently (at most `deliveryConcurrency`), each
 * with its own timeout, so one slow receiver never holds up the others. Failed jobs, and jobs the
 * invocation had no time left for, are returned in `batchItemFailures`; SQS redelivers them.
 */
export function buildDeliveryHandler(config: DeliveryConfig, deps: DeliveryDependencies): DeliveryHandler {
  const logger = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const now = deps.now ?? (() => new Date());
  const ports: DeliveryPorts = {
    webhooks: new WebhookCache((workspaceId, id) => deps.webhookStore.get(workspaceId, id), {
      ttlMs: config.webhookCacheTtlSeconds * 1000,
      now: () => now().getTime(),
    }),
    webhookWrites: deps.webhookStore,
    // Replaced per invocation by a collector; the entries are written together when the batch is done.
    attemptLog: { record: async () => {} },
    visibility: deps.visibility,
    signingSecrets: deps.signingSecrets,
    http: deps.http,
    metrics: deps.deliveryMetrics ?? powertoolsDeliveryMetrics(metrics),
    logger,
    now,
    random: deps.random ?? Math.random,
  };

  const handleBatch = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    try {
      return await deliverBatch(event, context);
    } finally {
      ports.metrics.flush();
    }
  };

  const deliverBatch = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const records = event.Records ?? [];
    const remainingMs =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis()
        : Number.POSITIVE_INFINITY;
    const invocationEnd = Date.now() + remainingMs;
    const requestBudget = () => invocationEnd - SAFETY_MARGIN_MS - Date.now();
    const attempts: DeliveryAttempt[] = [];
    const invocationPorts: DeliveryPorts = {
      ...ports,
      attemptLog: {
        record: async (attempt) => {
          attempts.push(attempt);
        },
      },
    };

    const results = await runWithConcurrency(records, {
      concurrency: config.deliveryConcurrency,
      canStart: () => requestBudget() >= MIN_REQUEST_BUDGET_MS,
      ...(Number.isFinite(invocationEnd) ? { giveUpAt: invocationEnd - SAFETY_MARGIN_MS / 3 } : {}),
      work: async (record) => {
        try {
          return await deliverJob(
            record,
            Math.min(config.requestTimeoutMs, requestBudget()),
            config,
            invocationPorts,
          );
        } catch (error) {
          // Webhook table or Secrets Manager unavailable: SQS redelivers after the visibility timeout.
          logger.error('Delivery job could not be processed', {
            messageId: record.messageId,
            error: errorName(error),
          });
          ports.metrics.count('DeliveryErrors');
          await retrySoon(record, ports, config);
          return 'retry' as const;
        }
      },
    });

    await writeAttemptLog(attempts, deps.deliveryLog, config, ports);

    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    let deferred = 0;
    results.forEach((result, index) => {
      const messageId = records[index]?.messageId ?? '';
      if (result.status === 'done') {
        if (result.value === 'retry') batchItemFailures.push({ itemIdentifier: messageId });
        return;
      }
      deferred++;
      batchItemFailures.push({ itemIdentifier: messageId });
    });
    if (deferred > 0) {
      for (let i = 0; i < deferred; i++) ports.metrics.count('JobsDeferred');
      logger.warn('Invocation running out of time: jobs left for SQS to redeliver', {
        deferred,
        batchSize: records.length,
      });
    }
    return { batchItemFailures };
  };

  return middy(handleBatch).use(injectLambdaContext(logger)).use(publishMetrics(metrics));
}

/**
 * One BatchWriteItem per 25 attempts instead of one PutItem each. The deliveries already happened, so
 * an entry that cannot be written never turns into a retry (a duplicate POST): it is logged (ids only)
 * and counted in the `AttemptLogWriteFailures` metric.
 */
async function writeAttemptLog(
  attempts: DeliveryAttempt[],
  deliveryLog: DeliveryDependencies['deliveryLog'],
  config: DeliveryConfig,
  ports: DeliveryPorts,
): Promise<void> {
  if (attempts.length === 0) return;
  const { unprocessed, error } = await deliveryLog
    .recordBatch(attempts, config.deliveryLogTtlDays)
    .catch((thrown: unknown): BatchRecordResult => ({ unprocessed: attempts, error: thrown }));
  if (unprocessed.length === 0) return;
  ports.logger.error('Could not write attempt log entries', {
    unwritten: unprocessed.length,
    error: error === undefined ? 'still unprocessed after retries' : errorName(error),
    attempts: unprocessed.map(({ webhookId, deliveryId, attempt, outcome }) => ({
      webhookId,
      deliveryId,
      attempt,
      outcome,
    })),
  });
  for (let i = 0; i < unprocessed.length; i++) ports.metrics.count('AttemptLogWriteFailures');
}

/**
 * After an internal error (not the receiver's fault) the job comes back on the retry schedule rather
 * than after the queue's visibility timeout (six times the function timeout). Best effort.
 */
async function retrySoon(record: SQSRecord, ports: DeliveryPorts, config: DeliveryConfig): Promise<void> {
  const attempt = Math.max(1, Number.parseInt(record.attributes.ApproximateReceiveCount, 10) || 1);
  const seconds = nextVisibilityDelaySeconds({
    attempt,
    policy: config.retryPolicy,
    cause: 'internal-error',
    now: ports.now(),
    random: ports.random,
  });
  await ports.visibility.change(record.receiptHandle, seconds).catch((error: unknown) => {
    ports.logger.error('Could not set the retry delay', {
      messageId: record.messageId,
      error: errorName(error),
    });
  });
}
