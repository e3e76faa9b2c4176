/**
 * The delivery function's SQS handler: delivers a batch of jobs within the invocation's time, reports the
 * ones left.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { BatchRecordResult } from '../../shared/adapters/dynamodb/deliveryLogStore';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import { decodeDeliveryJob } from '../../shared/domain/delivery/deliveryJob';
import { hopDelaySeconds, nextRetryDelaySeconds } from '../../shared/domain/retry';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { publishMetrics } from '../../shared/observability/publishMetrics';
import type { DeliveryConfig } from './config';
import { type DeliverJobDependencies, deliverJob, errorName, laneOf, queueOf } from './deliverJob';
import { type DeliveryMetrics, powertoolsDeliveryMetrics } from './deliveryMetrics';
import { type JobDestination, JobOutbox } from './jobOutbox';
import { runWithConcurrency } from './runWithConcurrency';
import { WebhookCache } from './webhookCache';

/** Time kept free at the end of an invocation for attempt logs, re-sends and the response. */
const SAFETY_MARGIN_MS = 3_000;
/** A job is not started with less request time than this left; SQS redelivers it instead. */
const MIN_REQUEST_BUDGET_MS = 1_000;

export interface DeliveryDependencies {
  webhookStore: DeliverJobDependencies['webhookWrites'] & {
    get(workspaceId: string, id: string): Promise<Webhook | undefined>;
  };
  /** Every attempt of an invocation is written in one go at its end (`DeliveryLogStore.recordBatch`). */
  deliveryLog: {
    recordBatch(attempts: readonly DeliveryAttempt[], ttlDays: number): Promise<BatchRecordResult>;
  };
  deadLetters: DeliverJobDependencies['deadLetters'];
  /** Sends jobs to a queue in SendMessageBatch requests (`DeliveryJobSender`), one outcome per message. */
  jobQueues: { send(destination: JobDestination, messages: OutgoingMessage[]): Promise<SendOutcome[]> };
  signingSecrets: DeliverJobDependencies['signingSecrets'];
  /** Shared limiter state (`DeliveryLimiterStore`); only webhooks with limits call it. */
  limiter: DeliverJobDependencies['limiter'];
  http: DeliverJobDependencies['http'];
  logger: Logger;
  metrics: Metrics;
  /** Replaces the EMF metrics (tests record what was counted). */
  deliveryMetrics?: DeliveryMetrics;
  now: () => Date;
  random?: () => number;
}

export type DeliveryHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The deliveries queue handler. Jobs of a batch run concurrently (at most `deliveryConcurrency`), each
 * with its own timeout, so one slow receiver never holds up the others. A failed attempt is re-sent as
 * a new message for the next one; a received message is acknowledged only once what replaces it was
 * accepted by SQS. Jobs whose re-send failed, and jobs the invocation had no time left for, are
 * returned in `batchItemFailures`; SQS redelivers them after the queue's visibility timeout.
 */
export function buildDeliveryHandler(config: DeliveryConfig, deps: DeliveryDependencies): DeliveryHandler {
  const { logger, metrics, now } = deps;
  // Built once per container; each invocation adds its own outbox and attempt list.
  const jobDeps: Omit<DeliverJobDependencies, 'outbox' | 'attempts'> = {
    webhooks: new WebhookCache((workspaceId, id) => deps.webhookStore.get(workspaceId, id), {
      ttlMs: config.webhookCacheTtlSeconds * 1000,
      now: () => now().getTime(),
    }),
    webhookWrites: deps.webhookStore,
    deadLetters: deps.deadLetters,
    signingSecrets: deps.signingSecrets,
    limiter: deps.limiter,
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
      jobDeps.metrics.flush();
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
    const outbox = new JobOutbox();
    const invocationDeps: DeliverJobDependencies = { ...jobDeps, outbox, attempts };

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
            invocationDeps,
          );
        } catch (error) {
          // Webhook table or Secrets Manager unavailable: not the receiver's fault, no attempt consumed.
          logger.error('Delivery job could not be processed', {
            messageId: record.messageId,
            error: errorName(error),
          });
          jobDeps.metrics.count('DeliveryErrors');
          outbox.discard(record.messageId);
          return retrySoon(record, outbox, config, jobDeps);
        }
      },
    });

    // Before the sends: entries for jobs whose re-send fails still describe attempts that happened.
    await writeAttemptLog(attempts, deps.deliveryLog, config, jobDeps);
    // Only finished jobs' messages: a job cut off by the deadline is redelivered whole by SQS, and
    // sending its retry as well would duplicate it.
    const finished = new Set(
      records.filter((_, index) => results[index]?.status === 'done').map((record) => record.messageId),
    );
    const unsent = await sendOutbox(outbox, finished, deps.jobQueues, jobDeps);

    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    let deferred = 0;
    results.forEach((result, index) => {
      const messageId = records[index]?.messageId ?? '';
      if (result.status === 'done') {
        if (result.value === 'retry' || unsent.has(messageId))
          batchItemFailures.push({ itemIdentifier: messageId });
        return;
      }
      deferred++;
      batchItemFailures.push({ itemIdentifier: messageId });
    });
    if (deferred > 0) {
      for (let i = 0; i < deferred; i++) jobDeps.metrics.count('JobsDeferred');
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
 * Sends what the invocation queued, per destination, in SendMessageBatch requests. Returns the ids
 * of the received messages whose replacement SQS did not accept: those are reported as failures, so
 * SQS redelivers them (a repeated attempt, never a lost job). Every refused message is logged (ids
 * only) and counted in `SqsCallFailures`.
 */
async function sendOutbox(
  outbox: JobOutbox,
  finished: ReadonlySet<string>,
  jobQueues: DeliveryDependencies['jobQueues'],
  deps: Pick<DeliverJobDependencies, 'metrics' | 'logger'>,
): Promise<Set<string>> {
  const unsent = new Set<string>();
  const destinations: JobDestination[] = ['deliveries', 'slow-lane', 'dead-letter'];
  await Promise.all(
    destinations.map(async (destination) => {
      const queued = outbox.queued.filter(
        (entry) => entry.destination === destination && finished.has(entry.receivedMessageId),
      );
      if (queued.length === 0) return;
      const messages: OutgoingMessage[] = queued.map((entry, index) => ({
        entryId: `m${index}`,
        body: entry.body,
        attributes: { webhookId: entry.job.webhookId },
        delaySeconds: entry.delaySeconds,
      }));
      let outcomes: SendOutcome[];
      try {
        outcomes = await jobQueues.send(destination, messages);
      } catch (error) {
        outcomes = messages.map((m) => ({
          entryId: m.entryId,
          status: 'failed',
          code: errorName(error),
          senderFault: false,
          attempts: 1,
        }));
      }
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'sent') return;
        const entry = queued[index];
        if (entry === undefined) return;
        unsent.add(entry.receivedMessageId);
        deps.metrics.count('SqsCallFailures', { operation: 'SendMessageBatch' });
        deps.logger.error('Could not send a delivery job; SQS will redeliver the received one', {
          destination,
          messageId: entry.receivedMessageId,
          webhookId: entry.job.webhookId,
          deliveryId: entry.job.deliveryId,
          status: outcome.status,
          ...(outcome.status === 'failed' ? { code: outcome.code } : {}),
        });
      });
    }),
  );
  return unsent;
}

/**
 * After an internal error (not the receiver's fault) the job is sent again unchanged, on the retry
 * schedule's internal-error delay rather than the queue's visibility timeout (six times the function
 * timeout), and without consuming an attempt. Its receive count stays 1, so only real crash loops
 * reach the queue's redrive policy.
 */
function retrySoon(
  record: SQSRecord,
  outbox: JobOutbox,
  config: DeliveryConfig,
  deps: Pick<DeliverJobDependencies, 'now' | 'random'>,
): 'acknowledged' | 'retry' {
  const decoded = decodeDeliveryJob(record.body);
  if (!decoded.ok) return 'retry';
  const nowMs = deps.now().getTime();
  const seconds = nextRetryDelaySeconds({
    attempt: decoded.job.attempt ?? 1,
    policy: config.retryPolicy,
    cause: 'internal-error',
    now: new Date(nowMs),
    random: deps.random,
  });
  const notBefore = nowMs + Math.round(seconds * 1000);
  outbox.add(record.messageId, {
    destination: queueOf(laneOf(record, config)),
    job: { ...decoded.job, notBefore },
    delaySeconds: hopDelaySeconds(notBefore, nowMs),
  });
  return 'acknowledged';
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
  deps: Pick<DeliverJobDependencies, 'metrics' | 'logger'>,
): Promise<void> {
  if (attempts.length === 0) return;
  const { unprocessed, error } = await deliveryLog
    .recordBatch(attempts, config.deliveryLogTtlDays)
    .catch((thrown: unknown): BatchRecordResult => ({ unprocessed: attempts, error: thrown }));
  if (unprocessed.length === 0) return;
  deps.logger.error('Could not write attempt log entries', {
    unwritten: unprocessed.length,
    error: error === undefined ? 'still unprocessed after retries' : errorName(error),
    attempts: unprocessed.map(({ webhookId, deliveryId, attempt, outcome }) => ({
      webhookId,
      deliveryId,
      attempt,
      outcome,
    })),
  });
  for (let i = 0; i < unprocessed.length; i++) deps.metrics.count('AttemptLogWriteFailures');
}
