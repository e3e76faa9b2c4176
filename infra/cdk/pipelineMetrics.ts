/** How the dashboard groups the functions' metrics (names from shared/observability/metricCatalog.ts). */

import type {
  DeliveryMetricName,
  EventMapperMetricName,
  RecordSkipReason,
} from '../../shared/observability/metricCatalog';

/**
 * How the dashboard groups the functions' metrics. The metrics themselves (namespace, service and
 * metric names, dimensions) are defined once in `shared/observability/metricCatalog.ts`; the types
 * below reject a name the catalog does not define, and `test/infra/watchedMetrics.test.ts` rejects a
 * widget or alarm on a dimension set the functions do not publish.
 */

/** Event mapper counts published with the `service` dimension only. */
export const MAPPER_TOTALS = [
  'RecordsIn',
  'JobsEnqueued',
  'SqsSendFailures',
  'JobsTooLarge',
  'RecordsFailed',
  'JobsAlreadyEnqueued',
] as const satisfies readonly EventMapperMetricName[];

/** Event mapper counts published only split by one extra dimension. */
export const MAPPER_SPLIT_METRICS = [
  { metricName: 'EventsOut', dimension: 'action', title: 'Events out by action' },
  { metricName: 'RecordsSkipped', dimension: 'reason', title: 'Records skipped by reason' },
] as const satisfies readonly { metricName: EventMapperMetricName; dimension: string; title: string }[];

/** Delivery outcomes per job, with the `service` dimension only. */
export const DELIVERY_OUTCOMES = [
  'DeliveryAttempts',
  'Delivered',
  'DeliveryFailed',
  'DeadLettered',
  'WebhooksDisabled',
] as const satisfies readonly DeliveryMetricName[];

/**
 * Jobs the delivery function did not attempt: infrastructure errors, deferrals, malformed or skipped
 * jobs, and jobs waiting for their webhook's rateLimit / maxConcurrentDeliveries.
 */
export const DELIVERY_NON_ATTEMPTS = [
  'DeliveryErrors',
  'JobsDeferred',
  'MalformedJobs',
  'JobsSkipped',
  'DelayedByLimit',
] as const satisfies readonly DeliveryMetricName[];

/** `DeliveryFailed` is also published with a `cause` dimension (http-4xx, timeout, connection, ...). */
export const DELIVERY_FAILED_BY_CAUSE = {
  metricName: 'DeliveryFailed',
  dimension: 'cause',
} as const satisfies { metricName: DeliveryMetricName; dimension: string };

export const DELIVERY_LATENCY = 'DeliveryLatency' satisfies DeliveryMetricName;

/** Jobs dead-lettered after their last attempt (alarmed as a rate). */
export const DELIVERY_DEAD_LETTERED = 'DeadLettered' satisfies DeliveryMetricName;

/** SQS calls of the delivery function that failed after retries (alarmed). */
export const DELIVERY_SQS_CALL_FAILURES = 'SqsCallFailures' satisfies DeliveryMetricName;

/** Jobs the event mapper could not enqueue after retries (alarmed). */
export const MAPPER_SQS_SEND_FAILURES = 'SqsSendFailures' satisfies EventMapperMetricName;

/** Attempt-log entries still unwritten after BatchWriteItem retries (alarmed). */
export const DELIVERY_LOG_WRITE_FAILURES = 'AttemptLogWriteFailures' satisfies DeliveryMetricName;

/** Mapper records skipped because the stream record lacks an image (alarmed: the stream view type is wrong). */
export const MAPPER_SKIPPED_NO_IMAGE = {
  metricName: 'RecordsSkipped',
  dimension: 'reason',
  value: 'no-image',
} as const satisfies { metricName: EventMapperMetricName; dimension: string; value: RecordSkipReason };
