/** Cost per million deliveries from the simulation's counts. */

import { PRICES } from '../awsPrices';

/**
 * USD per million deliveries from the simulation's counts, at us-east-1 list prices (bench cost model):
 * - SQS standard: per request (every SendMessageBatch, ReceiveMessage, DeleteMessageBatch, empty
 *   receives included) https://aws.amazon.com/sqs/pricing/
 * - Lambda arm64: GB-seconds at the function's memory, plus per invocation
 *   https://aws.amazon.com/lambda/pricing/
 * - DynamoDB on-demand: one write unit per attempt-log entry (items < 1 KB) and per breaker state
 *   change https://aws.amazon.com/dynamodb/pricing/on-demand/
 * Free tiers are left out; so are the event mapper and the CRM-side writes, which do not change with
 * dead endpoints.
 */
const DELIVERY_FUNCTION_MEMORY_GB = 0.5;

export interface SimCounts {
  delivered: number;
  sqsRequests: number;
  lambdaBilledMs: number;
  lambdaInvocations: number;
  dynamoDbWrites: number;
}

export interface SimCostBreakdown {
  sqs: number;
  lambdaCompute: number;
  lambdaRequests: number;
  dynamoDbWrites: number;
  total: number;
}

export function simulatedCostPerMillionDeliveries(counts: SimCounts): SimCostBreakdown {
  const perMillion = 1e6 / Math.max(1, counts.delivered);
  const parts = {
    sqs: counts.sqsRequests * PRICES.sqsStandardPerRequest * perMillion,
    lambdaCompute:
      (counts.lambdaBilledMs / 1000) * DELIVERY_FUNCTION_MEMORY_GB * PRICES.lambdaArmPerGbSecond * perMillion,
    lambdaRequests: counts.lambdaInvocations * PRICES.lambdaPerRequest * perMillion,
    dynamoDbWrites: counts.dynamoDbWrites * PRICES.dynamoDbOnDemandPerWriteUnit * perMillion,
  };
  return { ...parts, total: parts.sqs + parts.lambdaCompute + parts.lambdaRequests + parts.dynamoDbWrites };
}
