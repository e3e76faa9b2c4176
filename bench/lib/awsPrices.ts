/**
 * us-east-1 list prices (USD) used by the cost models; checked against the AWS pricing pages in 2026:
 * https://aws.amazon.com/lambda/pricing/ (arm64), https://aws.amazon.com/sqs/pricing/,
 * https://aws.amazon.com/dynamodb/pricing/on-demand/, https://aws.amazon.com/secrets-manager/pricing/,
 * https://aws.amazon.com/api-gateway/pricing/
 */
export const PRICES = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  sqsStandardPerRequest: 0.4 / 1e6,
  dynamoDbOnDemandPerWriteUnit: 0.625 / 1e6,
  dynamoDbOnDemandPerReadUnit: 0.125 / 1e6,
  secretsManagerPerApiCall: 0.05 / 10_000,
  secretsManagerPerSecretMonth: 0.4,
  apiGatewayHttpPerRequest: 1.0 / 1e6,
} as const;
