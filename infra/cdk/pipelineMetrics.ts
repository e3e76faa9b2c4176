/**
 * Names the functions publish with Powertools Metrics (EMF), as the dashboard reads them. Keep them in
 * step with `functions/event-mapper/buildEventMapperHandler.ts` and `functions/delivery/deliveryMetrics.ts`.
 */
export const METRICS_NAMESPACE = 'CrmWebhooks';

/** POWERTOOLS_SERVICE_NAME of each function, also the `service` dimension of its metrics. */
export const SERVICE_NAMES = {
  subscriptionsApi: 'subscriptions-api',
  eventMapper: 'event-mapper',
  delivery: 'delivery',
} as const;

/** Event mapper counts published with the `service` dimension only. */
export const MAPPER_TOTALS = [
  'RecordsIn',
  'JobsEnqueued',
  'SqsSendFailures',
  'JobsTooLarge',
  'RecordsFailed',
  'JobsAlreadyEnqueued',
] as const;

/** Event mapper counts published only split by one extra dimension. */
export const MAPPER_SPLIT_METRICS = [
  { metricName: 'EventsOut', dimension: 'action', title: 'Events out by action' },
  { metricName: 'RecordsSkipped', dimension: 'reason', title: 'Records skipped by reason' },
] as const;

/** Delivery outcomes per job, with the `service` dimension only. */
export const DELIVERY_OUTCOMES = [
  'DeliveryAttempts',
  'Delivered',
  'DeliveryFailed',
  'DeadLettered',
  'WebhooksDisabled',
] as const;

/** Jobs the delivery function did not attempt: infrastructure errors, deferrals, malformed or skipped jobs. */
export const DELIVERY_NON_ATTEMPTS = [
  'DeliveryErrors',
  'JobsDeferred',
  'MalformedJobs',
  'JobsSkipped',
] as const;

/** `DeliveryFailed` is also published with a `cause` dimension (http-4xx, timeout, connection, ...). */
export const DELIVERY_FAILED_BY_CAUSE = { metricName: 'DeliveryFailed', dimension: 'cause' } as const;

export const DELIVERY_LATENCY = 'DeliveryLatency';

/** Attempt-log entries still unwritten after BatchWriteItem retries (alarmed). */
export const DELIVERY_LOG_WRITE_FAILURES = 'AttemptLogWriteFailures';
