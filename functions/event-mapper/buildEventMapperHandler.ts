/**
 * The event mapper's DynamoDB Streams handler: CRM changes to delivery jobs, failed records reported to
 * Lambda.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { EVENT_MAPPER_METRICS, type EventMapperMetricName } from '../../shared/observability/metricCatalog';
import { publishMetrics } from '../../shared/observability/publishMetrics';
import { ActiveWebhooksCache } from './activeWebhooksCache';
import type { EventMapperConfig } from './config';
import { type BatchReport, fanOutStreamBatch } from './fanOutStreamBatch';
import { RecentlyEnqueuedJobs } from './recentlyEnqueuedJobs';

export interface EventMapperDependencies {
  webhookStore: { listActive(workspaceId: string): Promise<Webhook[]> };
  jobSender: { send(messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> };
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
}

export type EventMapperHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

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
  const { logger, metrics, now } = deps;
  const webhooks = new ActiveWebhooksCache((workspaceId) => deps.webhookStore.listActive(workspaceId), {
    ttlMs: config.webhookCacheTtlSeconds * 1000,
    now: () => now().getTime(),
  });
  const recentlyEnqueued = new RecentlyEnqueuedJobs();
  // One single-metric emitter for the dimensioned counts, reused: it clears its dimensions after each
  // metric, and `singleMetric()` per count built a new Metrics and Console each time (~1 µs per record).
  const dimensioned = metrics.singleMetric();

  const handleBatch = async (
    event: DynamoDBStreamEvent,
    _context: Context,
  ): Promise<DynamoDBBatchResponse> => {
    const started = now().getTime();
    const records = event.Records ?? [];
    const report = await fanOutStreamBatch(records, {
      crmSources: config.crmSources,
      activeWebhooks: (workspaceId) => webhooks.get(workspaceId),
      sendJobs: (messages) => deps.jobSender.send(messages),
      recentlyEnqueued,
      logger,
    });
    recordMetrics(metrics, dimensioned, records.length, report, now().getTime() - started);

    // Failed records are reported, never thrown: a thrown error would re-send the whole batch. Built
    // from the outcomes directly (Powertools' BatchProcessor would run a promise per record to get the
    // same list; with 100-record batches that was ~1 µs of the mapper's CPU per record).
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (let i = 0; i < records.length; i++) {
      if (report.outcomes[i]?.status === 'failed') {
        batchItemFailures.push({ itemIdentifier: records[i]?.dynamodb?.SequenceNumber ?? '' });
      }
    }
    return { batchItemFailures };
  };

  return middy(handleBatch)
    .use(injectLambdaContext(logger))
    .use(publishMetrics(metrics, { captureColdStartMetric: true })) as unknown as EventMapperHandler;
}

function recordMetrics(
  metrics: Metrics,
  dimensioned: Metrics,
  recordsIn: number,
  report: BatchReport,
  durationMs: number,
): void {
  const failedRecords = report.outcomes.filter((o) => o.status === 'failed').length;
  const add = (target: Metrics, name: EventMapperMetricName, value: number) =>
    target.addMetric(name, EVENT_MAPPER_METRICS[name].unit, value);
  add(metrics, 'RecordsIn', recordsIn);
  add(metrics, 'JobsEnqueued', report.jobsEnqueued);
  add(metrics, 'JobsAlreadyEnqueued', report.jobsAlreadyEnqueued);
  add(metrics, 'SqsSendFailures', report.sendFailures);
  add(metrics, 'JobsTooLarge', report.jobsTooLarge);
  add(metrics, 'RecordsFailed', failedRecords);
  add(metrics, 'BatchDurationMs', durationMs);
  // Per-action and per-reason counts carry their own dimension, so each is its own EMF document.
  for (const [action, count] of report.eventsByAction) {
    add(dimensioned.addDimension('action', action), 'EventsOut', count);
  }
  for (const [reason, count] of report.skippedByReason) {
    add(dimensioned.addDimension('reason', reason), 'RecordsSkipped', count);
  }
}
