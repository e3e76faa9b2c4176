/**
 * Every custom CloudWatch metric the functions publish (Powertools Metrics, embedded metric format),
 * defined once. The functions publish through these names, the CDK app builds the dashboard and the
 * alarms from them, and `test/infra/watchedMetrics.test.ts` checks that everything the template
 * watches is published here and referenced by the function that publishes it.
 *
 * No AWS SDK or Powertools import: this module is read by the functions, the CDK app, the local
 * runtime and the tests alike.
 *
 * To add a metric: add it to its service's table below, publish it from the function (by the same
 * name), then show or alarm on it in `infra/cdk/constructs/pipelineMonitoring.ts`.
 */

/** CloudWatch namespace of every custom metric (POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'CrmWebhooks';

/** POWERTOOLS_SERVICE_NAME of each function, also the `service` dimension Powertools adds to each metric. */
export const SERVICE_NAMES = {
  subscriptionsApi: 'subscriptions-api',
  eventMapper: 'event-mapper',
  delivery: 'delivery',
  /** The deploy-time check of imported CRM tables (a custom resource; it publishes no metrics). */
  crmStreamCheck: 'crm-stream-check',
} as const;
export type ServiceName = (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES];

/** Powertools' `service` dimension, present on every metric. */
export const SERVICE_DIMENSION = 'service';

/** The units the project uses; each is a CloudWatch unit name (and a Powertools `MetricUnit` value). */
export type MetricUnitName = 'Count' | 'Milliseconds';

export interface MetricDefinition {
  unit: MetricUnitName;
  /**
   * The dimension sets (besides `service`) the metric is published with; `[]` is the per-service total.
   * CloudWatch treats each dimension combination as a separate metric, so a dashboard or alarm only
   * sees data for a combination that is published:
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
   */
  dimensionSets: readonly (readonly string[])[];
  /** For a dimension with a closed set of values, every value the function publishes. */
  dimensionValues?: Readonly<Record<string, readonly string[]>>;
  description: string;
}

const TOTAL_ONLY: MetricDefinition['dimensionSets'] = [[]];

const count = (description: string, dimensionSets = TOTAL_ONLY): MetricDefinition => ({
  unit: 'Count',
  dimensionSets,
  description,
});
const milliseconds = (description: string, dimensionSets = TOTAL_ONLY): MetricDefinition => ({
  unit: 'Milliseconds',
  dimensionSets,
  description,
});

/** Why the event mapper skipped a record (the `reason` dimension of `RecordsSkipped`). */
export const RECORD_SKIP_REASONS = [
  'no-change',
  'unknown-table',
  'no-object',
  'no-workspace',
  'no-default-workspace',
  'no-id',
  'no-image',
  'unsupported',
] as const;
export type RecordSkipReason = (typeof RECORD_SKIP_REASONS)[number];

export const EVENT_MAPPER_METRICS = {
  RecordsIn: count('Stream records received'),
  JobsEnqueued: count('Delivery jobs SQS accepted'),
  JobsAlreadyEnqueued: count('Jobs not sent again because an earlier try of the batch enqueued them'),
  SqsSendFailures: count('Jobs SQS did not accept after retries (the record is retried)'),
  JobsTooLarge: count('Jobs larger than SQS accepts (the record goes to the failure queue)'),
  RecordsFailed: count('Records reported to Lambda as failed'),
  BatchDurationMs: milliseconds('Time to map and fan out one stream batch'),
  EventsOut: count('Events mapped, by action', [['action']]),
  RecordsSkipped: {
    ...count('Records that became no event, by reason', [['reason']]),
    dimensionValues: { reason: RECORD_SKIP_REASONS },
  },
} as const satisfies Record<string, MetricDefinition>;

export const DELIVERY_METRICS = {
  DeliveryAttempts: count('HTTP attempts made'),
  Delivered: count('Attempts answered with a 2xx'),
  DeliveryFailed: count('Failed attempts, in total and by cause', [[], ['cause']]),
  DeadLettered: count('Jobs the function dead-lettered (DLQ + webhook index) after their last attempt'),
  WebhooksDisabled: count('Webhooks disabled (410 Gone or failing), in total and by cause', [[], ['cause']]),
  JobsSkipped: count('Jobs for a webhook that is deleted or disabled'),
  MalformedJobs: count('Jobs whose message cannot be decoded'),
  DeliveryErrors: count('Jobs not processed: webhook table or Secrets Manager unavailable'),
  JobsDeferred: count('Jobs left for SQS to redeliver because the invocation ran out of time'),
  AttemptLogWriteFailures: count('Attempt log entries unwritten after BatchWriteItem retries'),
  DeliveryLatency: milliseconds('Duration of each HTTP attempt'),
  MovedToSlowLane: count('Jobs moved from the primary lane to the slow lane, in total and by cause', [
    [],
    ['cause'],
  ]),
  BreakerOpened: count('Endpoint circuit breakers opened (or reopened after a failed probe)'),
  RetriesScheduled: count('Failed attempts re-sent as a new delayed message for the next attempt'),
  DelayHops: count('Jobs received before their notBefore and sent on with the next SQS delay hop'),
  DelayedByLimit: {
    ...count(
      "Jobs re-sent to wait because their webhook's rateLimit or maxConcurrentDeliveries was reached",
      [[], ['cause']],
    ),
    dimensionValues: { cause: ['rate-limit', 'concurrency-limit'] },
  },
  LeaseReleaseFailures: count('Concurrency leases that could not be given back (each expires on its own)'),
  SqsCallFailures: count('SQS calls that failed, in total and by operation (the record is redelivered)', [
    [],
    ['operation'],
  ]),
} as const satisfies Record<string, MetricDefinition>;

/** Published once per request with the request's route template and status class. */
const PER_REQUEST = [['route', 'statusClass']] as const;

export const SUBSCRIPTIONS_API_METRICS = {
  Requests: count('Requests answered', PER_REQUEST),
  Latency: milliseconds('Time to answer a request', PER_REQUEST),
  SecretDeletionFailed: count(
    'Webhooks deleted whose secret could not be scheduled for deletion',
    PER_REQUEST,
  ),
} as const satisfies Record<string, MetricDefinition>;

export type EventMapperMetricName = keyof typeof EVENT_MAPPER_METRICS;
export type DeliveryMetricName = keyof typeof DELIVERY_METRICS;

/** The metrics of each service, by its `service` dimension. */
export const METRICS_BY_SERVICE: Record<ServiceName, Readonly<Record<string, MetricDefinition>>> = {
  [SERVICE_NAMES.subscriptionsApi]: SUBSCRIPTIONS_API_METRICS,
  [SERVICE_NAMES.eventMapper]: EVENT_MAPPER_METRICS,
  [SERVICE_NAMES.delivery]: DELIVERY_METRICS,
  [SERVICE_NAMES.crmStreamCheck]: {},
};

/** One metric as CloudWatch stores it: namespace, name and the names of its dimensions (sorted). */
export interface PublishedMetric {
  namespace: string;
  service: ServiceName;
  metricName: string;
  dimensionNames: readonly string[];
  dimensionValues?: Readonly<Record<string, readonly string[]>>;
}

/** Every (service, metric, dimension set) the functions publish, as CloudWatch will hold them. */
export function publishedMetrics(): PublishedMetric[] {
  return Object.entries(METRICS_BY_SERVICE).flatMap(([service, metrics]) =>
    Object.entries(metrics).flatMap(([metricName, definition]) =>
      definition.dimensionSets.map((extra) => ({
        namespace: METRICS_NAMESPACE,
        service: service as ServiceName,
        metricName,
        dimensionNames: [SERVICE_DIMENSION, ...extra].sort(),
        ...(definition.dimensionValues === undefined ? {} : { dimensionValues: definition.dimensionValues }),
      })),
    ),
  );
}
