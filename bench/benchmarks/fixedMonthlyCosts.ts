/** Monthly costs that do not grow with deliveries (secrets, metrics, alarms, dashboard, logs, storage). */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createCrmWebhooksStack } from '../../infra/cdk/createCrmWebhooksStack';
import { parseStackSettings } from '../../infra/cdk/stackSettings';
import type { SecretStoreMode } from '../../shared/domain/webhooks/signingSecretStore';
import { publishedMetrics } from '../../shared/observability/metricCatalog';

/*
 * Monthly costs that do not come from the per-delivery request counts: secrets, CloudWatch metrics,
 * alarms and dashboard, log ingestion, the attempt log's storage and point-in-time recovery. us-east-1
 * list prices, checked against the AWS pricing pages in December 2026:
 * - Secrets Manager: $0.40 per secret-month, $0.05 per 10,000 API calls
 *   https://aws.amazon.com/secrets-manager/pricing/
 * - KMS: AWS managed keys (aws/secretsmanager, aws/dynamodb) have no monthly fee
 *   https://aws.amazon.com/kms/pricing/
 * - CloudWatch: custom metrics $0.30 per metric-month (first 10,000; prorated by the hour a metric is
 *   published), standard alarms $0.10 per alarm metric-month, dashboards $3 per month (the first three
 *   of an account are free: counted anyway), Logs ingestion $0.50 per GB
 *   https://aws.amazon.com/cloudwatch/pricing/
 * - DynamoDB on-demand: storage $0.25 per GB-month (each item counts 100 bytes of overhead), continuous
 *   backups (PITR) $0.20 per GB-month https://aws.amazon.com/dynamodb/pricing/on-demand/
 */
export const MONTHLY_PRICES = {
  secretPerMonth: 0.4,
  secretsManagerPerApiCall: 0.05 / 10_000,
  kmsAwsManagedKeyPerMonth: 0,
  customMetricPerMonth: 0.3,
  alarmMetricPerMonth: 0.1,
  compositeAlarmPerMonth: 0.5,
  dashboardPerMonth: 3,
  logIngestionPerGb: 0.5,
  dynamoDbStoragePerGbMonth: 0.25,
  dynamoDbPitrPerGbMonth: 0.2,
} as const;

const GB = 1024 ** 3;
/** DynamoDB's per-item storage overhead (pricing page above). */
const DYNAMODB_ITEM_OVERHEAD_BYTES = 100;

/**
 * The workload the table assumes; every figure that depends on it says so.
 * - Lambda does not document how long an execution environment lives; under steady load we assume
 *   about an hour, and `deliveryMaxConcurrency` (10) delivery containers: 7,200 starts a month. Each
 *   start reads what it signs with once: one key version (envelope) or every webhook it delivers to
 *   (per-webhook mode, all of them when traffic is spread out).
 * - 100 deliveries per webhook per day (3,000 a month) for log ingestion and attempt-log storage.
 */
export const WORKLOAD = {
  deliveryContainerStartsPerMonth: 10 * 24 * 30,
  /** The API seals with the current key, re-read each minute while it is busy (assumed 1 h a day). */
  apiKeyReadsPerMonth: 60 * 30,
  deliveriesPerWebhookPerMonth: 3_000,
  /** Jobs per delivery invocation (the stack's deliveryBatchSize). */
  deliveriesPerInvocation: 10,
} as const;

/**
 * What one Lambda invocation writes to CloudWatch Logs at the default level (INFO) when its deliveries
 * succeed: the platform's START, END and REPORT lines (text format, ~260 bytes together, measured on
 * Lambda) plus 26 bytes of metadata per event as CloudWatch Logs counts ingested events
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html). Successful
 * deliveries log at DEBUG (see functions/delivery/deliverJob.ts), so nothing else.
 */
const LOG_BYTES_PER_INVOCATION = 260 + 3 * 26;

/** DynamoDB item size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits + 1). */
export function dynamoDbItemBytes(item: Record<string, string | number>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    bytes += typeof value === 'string' ? Buffer.byteLength(value) : Math.ceil(String(value).length / 2) + 1;
  }
  return bytes;
}

/** A successful attempt as the delivery log stores it (ids at their real lengths). */
export const TYPICAL_ATTEMPT_ITEM = {
  webhookId: 'wh_3mJr7AoUXx2Wqd2bTzmxvA',
  attemptKey: '2026-12-04T20:00:00.000Z#msg_2Tz9m3Xk8Qa1b2c3d4e5f6g7h8#1',
  deliveryId: 'msg_2Tz9m3Xk8Qa1b2c3d4e5f6g7h8',
  eventId: 'evt_5f0c3d2e9a8b4c1d8e7f6a5b4c3d2e1f',
  event: 'person.updated',
  attempt: 1,
  outcome: 'delivered',
  statusCode: 200,
  durationMs: 183,
  responseBody: '{"ok":true}',
  attemptedAt: '2026-12-04T20:00:00.000Z',
  expiresAt: 1_767_556_800,
} as const;

/** What the synthesized stack holds that CloudWatch bills per month. */
export interface MonitoringInventory {
  alarmMetrics: number;
  compositeAlarms: number;
  dashboards: number;
}

/** Synthesizes the stack (no bundling) and counts its alarms' metrics and its dashboards. */
export function monitoringInventory(): MonitoringInventory {
  const outdir = mkdtempSync(join(tmpdir(), 'cost-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(createCrmWebhooksStack(app));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const alarmMetrics = alarms.reduce((n, alarm) => {
      const metrics = alarm.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
      return n + (metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1);
    }, 0);
    return {
      alarmMetrics,
      compositeAlarms: Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm')).length,
      dashboards: Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Custom metrics published every hour while deliveries succeed (each CloudWatch bills for the hours it
 * receives data): the totals each invocation emits. The others (failure causes, skips, API routes)
 * cost only for the hours they occur; `upperBound` prices every catalogued combination all month.
 */
export function customMetricCounts(): { steady: number; upperBound: number } {
  const steadyNames = new Set([
    'delivery/DeliveryAttempts',
    'delivery/Delivered',
    'delivery/DeliveryLatency',
    'event-mapper/RecordsIn',
    'event-mapper/JobsEnqueued',
    'event-mapper/BatchDurationMs',
  ]);
  // Values of the open dimensions: 5 actions, 8 failure causes (2 for disabling), ~12 routes x 3 classes.
  const valuesOf = (metricName: string, dimension: string, known?: readonly string[]): number => {
    if (known !== undefined) return known.length;
    if (dimension === 'action') return 5;
    if (dimension === 'cause') return metricName === 'WebhooksDisabled' ? 2 : 8;
    if (dimension === 'route') return 12;
    if (dimension === 'statusClass') return 3;
    return 1;
  };
  let steady = 0;
  let upperBound = 0;
  for (const metric of publishedMetrics()) {
    const combinations = metric.dimensionNames
      .filter((d) => d !== 'service')
      .reduce((n, d) => n * valuesOf(metric.metricName, d, metric.dimensionValues?.[d]), 1);
    upperBound += combinations;
    if (metric.dimensionNames.length === 1 && steadyNames.has(`${metric.service}/${metric.metricName}`))
      steady++;
  }
  // EventsOut by action: the actions a CRM produces all day (created, updated, deleted).
  steady += 3;
  // Powertools' ColdStart metric of the API and the event mapper.
  upperBound += 2;
  return { steady, upperBound };
}

export interface FixedMonthlyCosts {
  webhooks: number;
  mode: SecretStoreMode;
  secrets: number;
  secretsApiCalls: number;
  kms: number;
  customMetrics: number;
  alarms: number;
  dashboard: number;
  /** At WORKLOAD.deliveriesPerWebhookPerMonth. */
  logIngestion: number;
  attemptLogStorage: number;
  attemptLogPitr: number;
  total: number;
}

/** The monthly costs of `webhooks` webhooks in `mode`, with the stack's delivery-log settings. */
export function fixedMonthlyCosts(
  webhooks: number,
  mode: SecretStoreMode,
  inventory: MonitoringInventory,
  metrics: { steady: number },
  options: { successSampleRate?: number; pointInTimeRecovery?: boolean; ttlDays?: number } = {},
): FixedMonthlyCosts {
  const defaults = parseStackSettings({});
  const ttlDays = options.ttlDays ?? defaults.deliveryLogTtlDays;
  const successSampleRate = options.successSampleRate ?? defaults.deliveryLogSuccessSampleRate;
  const pitr = options.pointInTimeRecovery ?? defaults.deliveryLogPointInTimeRecovery;
  const deliveries = webhooks * WORKLOAD.deliveriesPerWebhookPerMonth;
  const keyReads =
    mode === 'envelope' ? WORKLOAD.deliveryContainerStartsPerMonth + WORKLOAD.apiKeyReadsPerMonth : 0;
  const perWebhookReads = mode === 'per-webhook' ? WORKLOAD.deliveryContainerStartsPerMonth * webhooks : 0;
  const itemBytes = dynamoDbItemBytes(TYPICAL_ATTEMPT_ITEM) + DYNAMODB_ITEM_OVERHEAD_BYTES;
  // Items live ttlDays (TTL deletes within days of expiry, unbilled), so the table holds ttlDays/30 of a month.
  const storedGb = (deliveries * successSampleRate * itemBytes * (ttlDays / 30)) / GB;
  const parts = {
    secrets: (mode === 'envelope' ? 1 : webhooks) * MONTHLY_PRICES.secretPerMonth,
    secretsApiCalls: (keyReads + perWebhookReads) * MONTHLY_PRICES.secretsManagerPerApiCall,
    kms: MONTHLY_PRICES.kmsAwsManagedKeyPerMonth,
    customMetrics: metrics.steady * MONTHLY_PRICES.customMetricPerMonth,
    alarms:
      inventory.alarmMetrics * MONTHLY_PRICES.alarmMetricPerMonth +
      inventory.compositeAlarms * MONTHLY_PRICES.compositeAlarmPerMonth,
    dashboard: inventory.dashboards * MONTHLY_PRICES.dashboardPerMonth,
    logIngestion:
      ((deliveries / WORKLOAD.deliveriesPerInvocation) *
        LOG_BYTES_PER_INVOCATION *
        MONTHLY_PRICES.logIngestionPerGb) /
      GB,
    attemptLogStorage: storedGb * MONTHLY_PRICES.dynamoDbStoragePerGbMonth,
    attemptLogPitr: pitr ? storedGb * MONTHLY_PRICES.dynamoDbPitrPerGbMonth : 0,
  };
  return { webhooks, mode, ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** USD per million deliveries that the request-count model leaves out: log lines, log storage, PITR. */
export function perMillionDeliveryExtras(
  options: { successSampleRate?: number; pointInTimeRecovery?: boolean } = {},
) {
  const defaults = parseStackSettings({});
  const rate = options.successSampleRate ?? defaults.deliveryLogSuccessSampleRate;
  const pitr = options.pointInTimeRecovery ?? defaults.deliveryLogPointInTimeRecovery;
  const itemGb = (dynamoDbItemBytes(TYPICAL_ATTEMPT_ITEM) + DYNAMODB_ITEM_OVERHEAD_BYTES) / GB;
  const monthsKept = defaults.deliveryLogTtlDays / 30;
  return {
    logIngestion:
      ((1e6 / WORKLOAD.deliveriesPerInvocation) *
        LOG_BYTES_PER_INVOCATION *
        MONTHLY_PRICES.logIngestionPerGb) /
      GB,
    attemptLogStorage: 1e6 * rate * itemGb * monthsKept * MONTHLY_PRICES.dynamoDbStoragePerGbMonth,
    attemptLogPitr: pitr ? 1e6 * rate * itemGb * monthsKept * MONTHLY_PRICES.dynamoDbPitrPerGbMonth : 0,
  };
}
