/** Benchmark: USD per million deliveries on AWS from the end-to-end request counts and durations. */

import { PRICES } from '../lib/awsPrices';
import { type RequestCounts, totalFor } from '../lib/awsRequestCounter';
import { pairedFigure } from '../lib/stats';
import type { Benchmark, Figure } from '../lib/types';
import { type InvocationStats, type PhaseResult, requestWindow } from './endToEnd';
import type { FixedMonthlyCosts } from './fixedMonthlyCosts';

/** Webhook counts of the fixed-cost table (docs/performance.md). */
const WEBHOOK_COUNTS = [10, 1_000, 10_000, 100_000] as const;
/** The target: fixed monthly cost at 10,000 webhooks in the default (envelope) mode. */
const FIXED_COST_TARGET_USD = 25;

function money(value: number): string {
  return value >= 100 ? `$${Math.round(value).toLocaleString('en-US')}` : `$${value.toFixed(2)}`;
}

/** One line of the fixed-cost table, as printed under the figures and copied to docs/performance.md. */
function tableLine(costs: FixedMonthlyCosts): string {
  const cells = [
    costs.webhooks.toLocaleString('en-US'),
    costs.mode,
    costs.secrets + costs.secretsApiCalls,
    costs.kms,
    costs.customMetrics,
    costs.alarms + costs.dashboard,
    costs.logIngestion,
    costs.attemptLogStorage,
    costs.attemptLogPitr,
    costs.total,
  ].map((cell) => (typeof cell === 'number' ? money(cell) : cell));
  return `| ${cells.join(' | ')} |`;
}

/** Memory of both pipeline functions in the CDK stack (infra/cdk/constructs). */
const FUNCTION_MEMORY_GB = 0.5;
/** Receivers on the internet answer far slower than the local one; the second scenario assumes this. */
const ASSUMED_RECEIVER_MS = 200;

/** Single-item writes: one write unit per request (items under 1 KB). */
const DYNAMODB_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'];
/** Eventually consistent reads of items under 4 KB: GetItem 0.5 RRU; a workspace's webhooks Query ~1 RRU. */
const READ_UNITS: Record<string, number> = { GetItem: 0.5, Query: 1, BatchGetItem: 0.5, Scan: 1 };

export interface CostBreakdown {
  lambdaCompute: number;
  lambdaRequests: number;
  sqs: number;
  dynamoDbWrites: number;
  dynamoDbReads: number;
  secretsManager: number;
  apiGateway: number;
  total: number;
}

/**
 * USD per million deliveries: requests per delivery at steady state (see `requestWindow`), Lambda time and
 * invocations from the whole phase. `requests` replaces the counts (with `phase.delivered`).
 */
function costPerMillionDeliveries(
  phase: PhaseResult,
  options: { extraDeliveryMsPerInvocation?: number; requests?: RequestCounts } = {},
): CostBreakdown {
  const window = requestWindow(phase);
  return costFromCounts({
    requests: options.requests ?? window.requests,
    requestDeliveries: options.requests ? phase.delivered : window.deliveries,
    invocations: phase.invocations,
    invocationDeliveries: phase.delivered,
    ...(options.extraDeliveryMsPerInvocation === undefined
      ? {}
      : { extraDeliveryMsPerInvocation: options.extraDeliveryMsPerInvocation }),
  });
}

/**
 * The model itself: `requests` were counted over `requestDeliveries` deliveries, the handlers' invocations
 * and billed time over `invocationDeliveries` (they may come from different windows of a phase).
 */
export function costFromCounts(input: {
  requests: RequestCounts;
  requestDeliveries: number;
  invocations: Record<'eventMapper' | 'delivery', InvocationStats>;
  invocationDeliveries: number;
  extraDeliveryMsPerInvocation?: number;
}): CostBreakdown {
  const { requests } = input;
  const perRequestDelivery = 1 / Math.max(1, input.requestDeliveries);
  const perDelivery = 1 / Math.max(1, input.invocationDeliveries);
  const { eventMapper, delivery } = input.invocations;
  const billedMs =
    eventMapper.billedMs +
    delivery.billedMs +
    (input.extraDeliveryMsPerInvocation ?? 0) * delivery.invocations;
  const count = (service: string, operations: readonly string[]) =>
    operations.reduce((n, op) => n + (requests[`${service}.${op}`] ?? 0), 0);
  const readUnits = Object.entries(READ_UNITS).reduce(
    (n, [op, units]) => n + (requests[`dynamodb.${op}`] ?? 0) * units,
    0,
  );
  // BatchWriteItem is billed per item, not per request: its items are the attempt-log entries, one per
  // delivery attempt (the steady window has no retries), so one write unit per delivery.
  const batchWrittenItems =
    (requests['dynamodb.BatchWriteItem'] ?? 0) > 0 ? Math.max(1, input.requestDeliveries) : 0;
  const parts = {
    lambdaCompute: (billedMs / 1000) * FUNCTION_MEMORY_GB * PRICES.lambdaArmPerGbSecond,
    lambdaRequests: (eventMapper.invocations + delivery.invocations) * PRICES.lambdaPerRequest,
    sqs: totalFor(requests, 'sqs') * PRICES.sqsStandardPerRequest,
    dynamoDbWrites:
      (count('dynamodb', DYNAMODB_WRITES) + batchWrittenItems) * PRICES.dynamoDbOnDemandPerWriteUnit,
    dynamoDbReads: readUnits * PRICES.dynamoDbOnDemandPerReadUnit,
    secretsManager: totalFor(requests, 'secretsManager') * PRICES.secretsManagerPerApiCall,
    // Deliveries never pass through API Gateway: only management calls do.
    apiGateway: 0,
  };
  const lambdaParts = new Set(['lambdaCompute', 'lambdaRequests']);
  const scaled = Object.fromEntries(
    Object.entries(parts).map(([k, v]) => [
      k,
      v * (lambdaParts.has(k) ? perDelivery : perRequestDelivery) * 1e6,
    ]),
  ) as Omit<CostBreakdown, 'total'>;
  return { ...scaled, total: Object.values(scaled).reduce((a, b) => a + b, 0) };
}

/**
 * The same model with the request counts the design calls for: full SQS batches (0.3 requests per
 * delivery), the attempt log in one BatchWriteItem per batch of 10 (one write unit per delivery), no reads,
 * no Secrets Manager calls, the same Lambda time.
 */
function idealRequests(delivered: number): RequestCounts {
  return {
    'sqs.SendMessageBatch': delivered / 10,
    'sqs.ReceiveMessage': delivered / 10,
    'sqs.DeleteMessageBatch': delivered / 10,
    'dynamodb.BatchWriteItem': delivered / 10,
  };
}

/** Figure 6: AWS cost per million deliveries, from the end-to-end run's counts and durations. */
export const costModel: Benchmark = {
  name: 'cost',
  description: 'cost model: USD per million deliveries from the end-to-end counts and durations (us-east-1)',
  dependsOn: ['e2e'],
  fastInSmoke: false,
  async run({ earlier, progress }) {
    // Loaded here, not at import: it synthesizes the stack with aws-cdk-lib (~3 s to load), which a run
    // without the cost model (a smoke run) should not pay for.
    const {
      customMetricCounts,
      fixedMonthlyCosts,
      MONTHLY_PRICES,
      monitoringInventory,
      perMillionDeliveryExtras,
      WORKLOAD,
    } = await import('./fixedMonthlyCosts');
    const e2e = earlier.get('e2e')?.details as Record<string, PhaseResult> | undefined;
    if (!e2e?.oneWebhook || !e2e.tenWebhooks) throw new Error('the cost model needs the e2e results');
    progress.stage('cost: pricing the 1-webhook and 10-webhook phases');
    const figures: Figure[] = [];
    const extras = perMillionDeliveryExtras();
    const extrasBefore = perMillionDeliveryExtras({ pointInTimeRecovery: true });
    const details: Record<string, unknown> = {
      prices: PRICES,
      monthlyPrices: MONTHLY_PRICES,
      workload: WORKLOAD,
      functionMemoryGb: FUNCTION_MEMORY_GB,
      assumedReceiverMs: ASSUMED_RECEIVER_MS,
      perMillionDeliveryExtras: extras,
      perMillionDeliveryExtrasWithPitr: extrasBefore,
    };
    const extraPerMillion = extras.logIngestion + extras.attemptLogStorage + extras.attemptLogPitr;
    const extraPerMillionBefore =
      extrasBefore.logIngestion + extrasBefore.attemptLogStorage + extrasBefore.attemptLogPitr;
    for (const [key, phase] of [
      ['oneWebhook', e2e.oneWebhook],
      ['tenWebhooks', e2e.tenWebhooks],
    ] as const) {
      const measured = costPerMillionDeliveries(phase);
      const ideal = costPerMillionDeliveries(phase, { requests: idealRequests(phase.delivered) });
      const slowReceivers = costPerMillionDeliveries(phase, {
        extraDeliveryMsPerInvocation: ASSUMED_RECEIVER_MS,
      });
      details[key] = {
        measured,
        idealRequestCounts: ideal,
        withSlowReceivers: slowReceivers,
        deliveries: phase.delivered,
      };
      figures.push(
        pairedFigure({
          id: `cost.${key}.usdPerMillionDeliveries`,
          benchmark: 'cost',
          title: `AWS cost per million deliveries, ${phase.webhooks} webhook${phase.webhooks === 1 ? '' : 's'}`,
          unit: 'USD',
          higherIsBetter: false,
          values: [measured.total],
          baseline: {
            title: 'same model with the ideal request counts (full batches, 1 write unit, no reads)',
            values: [ideal.total],
          },
          unpaired: true,
          notes: `Lambda time as measured locally (receiver answers in ~1 ms); with receivers answering in ${ASSUMED_RECEIVER_MS} ms: ${slowReceivers.total.toFixed(2)} USD. Plus $${extraPerMillion.toFixed(2)} of log lines and attempt-log storage not in request counts ($${extraPerMillionBefore.toFixed(2)} with PITR on the delivery log, as before). Breakdown in the cost details.`,
        }),
      );
    }

    progress.stage('cost: fixed monthly costs (synthesizing the stack to count alarms and dashboards)');
    const inventory = monitoringInventory();
    const metrics = customMetricCounts();
    const table = WEBHOOK_COUNTS.flatMap((webhooks) =>
      (['envelope', 'per-webhook'] as const).map((mode) =>
        fixedMonthlyCosts(webhooks, mode, inventory, metrics),
      ),
    );
    const costAt = (webhooks: number, mode: 'envelope' | 'per-webhook', options = {}) =>
      fixedMonthlyCosts(webhooks, mode, inventory, metrics, options).total;
    details.fixedMonthly = { inventory, customMetrics: metrics, table };
    figures.push(
      pairedFigure({
        id: 'cost.fixedMonthly.tenThousandWebhooks',
        benchmark: 'cost',
        title: 'Fixed monthly cost, 10,000 webhooks, envelope secrets (default)',
        unit: 'USD',
        higherIsBetter: false,
        values: [costAt(10_000, 'envelope')],
        baseline: {
          title: 'one secret per webhook and PITR on the delivery log (before)',
          values: [costAt(10_000, 'per-webhook', { pointInTimeRecovery: true })],
        },
        unpaired: true,
        target: { on: 'value', comparison: '<=', threshold: FIXED_COST_TARGET_USD },
        notes: `At ${WORKLOAD.deliveriesPerWebhookPerMonth.toLocaleString('en-US')} deliveries per webhook per month; custom metrics: ${metrics.steady} published hourly at steady state (${metrics.upperBound} if every dimension value were published all month).`,
      }),
    );
    const highlights = [
      'Fixed monthly cost (USD; secrets include their API calls; at 3,000 deliveries per webhook per month):',
      '| webhooks | secret store | Secrets Manager | KMS | custom metrics | alarms + dashboard | log ingestion | attempt-log storage | PITR | total |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...table.map(tableLine),
    ];
    return { figures, details, highlights };
  },
};
