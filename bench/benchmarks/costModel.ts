import { PRICES } from '../lib/awsPrices';
import { type RequestCounts, totalFor } from '../lib/awsRequestCounter';
import { pairedFigure } from '../lib/stats';
import type { Benchmark, Figure } from '../lib/types';
import { type PhaseResult, requestWindow } from './endToEnd';

export { PRICES };

/** Memory of both pipeline functions in the CDK stack (infra/cdk/constructs). */
const FUNCTION_MEMORY_GB = 0.5;
/** Receivers on the internet answer far slower than the local one; the second scenario assumes this. */
export const ASSUMED_RECEIVER_MS = 200;

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
export function costPerMillionDeliveries(
  phase: PhaseResult,
  options: { extraDeliveryMsPerInvocation?: number; requests?: RequestCounts } = {},
): CostBreakdown {
  const window = requestWindow(phase);
  const requests = options.requests ?? window.requests;
  const perRequestDelivery = 1 / Math.max(1, options.requests ? phase.delivered : window.deliveries);
  const perDelivery = 1 / Math.max(1, phase.delivered);
  const { eventMapper, delivery } = phase.invocations;
  const billedMs =
    eventMapper.billedMs +
    delivery.billedMs +
    (options.extraDeliveryMsPerInvocation ?? 0) * delivery.invocations;
  const count = (service: string, operations: readonly string[]) =>
    operations.reduce((n, op) => n + (requests[`${service}.${op}`] ?? 0), 0);
  const readUnits = Object.entries(READ_UNITS).reduce(
    (n, [op, units]) => n + (requests[`dynamodb.${op}`] ?? 0) * units,
    0,
  );
  // BatchWriteItem is billed per item, not per request: its items are the attempt-log entries, one per
  // delivery attempt (the steady window has no retries), so one write unit per delivery.
  const batchWrittenItems =
    (requests['dynamodb.BatchWriteItem'] ?? 0) > 0
      ? Math.max(1, options.requests ? phase.delivered : window.deliveries)
      : 0;
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
    const e2e = earlier.get('e2e')?.details as Record<string, PhaseResult> | undefined;
    if (!e2e?.oneWebhook || !e2e.tenWebhooks) throw new Error('the cost model needs the e2e results');
    progress.stage('cost: pricing the 1-webhook and 10-webhook phases');
    const figures: Figure[] = [];
    const details: Record<string, unknown> = {
      prices: PRICES,
      functionMemoryGb: FUNCTION_MEMORY_GB,
      assumedReceiverMs: ASSUMED_RECEIVER_MS,
    };
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
          notes: `Lambda time as measured locally (receiver answers in ~1 ms); with receivers answering in ${ASSUMED_RECEIVER_MS} ms: ${slowReceivers.total.toFixed(2)} USD. Breakdown in the cost details.`,
        }),
      );
    }
    return { figures, details };
  },
};
