import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { ActiveWebhooksCache } from './activeWebhooksCache';
import type { EventMapperConfig } from './config';
import { type BatchReport, fanOutStreamBatch, type RecordOutcome } from './fanOutStreamBatch';
import { logger as defaultLogger, metrics as defaultMetrics } from './observability';
import { RecentlyEnqueuedJobs } from './recentlyEnqueuedJobs';

export interface EventMapperDependencies {
  webhookStore: { listActive(workspaceId: string): Promise<Webhook[]> };
  jobSender: { send(messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> };
  logger?: Logger;
  metrics?: Metrics;
  now?: () => number;
}

export type EventMapperHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

class RecordNotEnqueuedError extends Error {
  constructor(reason: string) {
    super(`delivery jobs were not enqueued: ${reason}`);
    this.name = 'RecordNotEnqueuedError';
  }
}

/**
 * The DynamoDB Streams handler: maps a batch of CRM changes to events, fans each out to the matching
 * webhooks as SQS delivery jobs and reports the records whose jobs did not all go out in
 * `batchItemFailures`. Lambda then retries from the lowest reported sequence number; records that can
 * never become an event are counted and logged, not reported, so they cannot block the shard.
 */
export function buildEventMapperHandler(
  config: EventMapperConfig,
  deps: EventMapperDependencies,
): EventMapperHandler {
  const logger = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const now = deps.now ?? Date.now;
  const webhooks = new ActiveWebhooksCache((workspaceId) => deps.webhookStore.listActive(workspaceId), {
    ttlMs: config.webhookCacheTtlSeconds * 1000,
    now,
  });
  const recentlyEnqueued = new RecentlyEnqueuedJobs();

  const handleBatch = async (
    event: DynamoDBStreamEvent,
    context: Context,
  ): Promise<DynamoDBBatchResponse> => {
    const started = now();
    const records = event.Records ?? [];
    const report = await fanOutStreamBatch(records, {
      crmSources: config.crmSources,
      activeWebhooks: (workspaceId) => webhooks.get(workspaceId),
      sendJobs: (messages) => deps.jobSender.send(messages),
      recentlyEnqueued,
      logger,
    });
    recordMetrics(metrics, records.length, report, now() - started);

    const outcomeOf = new Map<DynamoDBRecord, RecordOutcome>();
    records.forEach((record, i) => {
      outcomeOf.set(record, report.outcomes[i] as RecordOutcome);
    });
    // A new processor per invocation: the local runtime may invoke the handler for several shards at once.
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const outcome = outcomeOf.get(record);
        if (outcome?.status === 'failed') throw new RecordNotEnqueuedError(outcome.reason);
      },
      processor,
      // Record failures are reported, never thrown: a thrown error would re-send the whole batch.
      { context, throwOnFullBatchFailure: false },
    ) as Promise<DynamoDBBatchResponse>;
  };

  return middy(handleBatch)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as EventMapperHandler;
}

function recordMetrics(metrics: Metrics, recordsIn: number, report: BatchReport, durationMs: number): void {
  const failedRecords = report.outcomes.filter((o) => o.status === 'failed').length;
  metrics.addMetric('RecordsIn', MetricUnit.Count, recordsIn);
  metrics.addMetric('JobsEnqueued', MetricUnit.Count, report.jobsEnqueued);
  metrics.addMetric('JobsAlreadyEnqueued', MetricUnit.Count, report.jobsAlreadyEnqueued);
  metrics.addMetric('SqsSendFailures', MetricUnit.Count, report.sendFailures);
  metrics.addMetric('JobsTooLarge', MetricUnit.Count, report.jobsTooLarge);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, failedRecords);
  metrics.addMetric('BatchDurationMs', MetricUnit.Milliseconds, durationMs);
  // Per-action and per-reason counts carry their own dimension, so each is its own EMF document.
  for (const [action, count] of report.eventsByAction) {
    metrics.singleMetric().addDimension('action', action).addMetric('EventsOut', MetricUnit.Count, count);
  }
  for (const [reason, count] of report.skippedByReason) {
    metrics
      .singleMetric()
      .addDimension('reason', reason)
      .addMetric('RecordsSkipped', MetricUnit.Count, count);
  }
}
