/**
 * SDK clients are created once per Lambda container (module scope in the handlers). Endpoints come only
 * from the standard configuration (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS,
 * AWS_ENDPOINT_URL_SECRETS_MANAGER), so the same code runs on AWS and against the local emulators.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';

export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 5 });
}

/** `useQueueUrlAsEndpoint: false`: send to the configured endpoint, not to the host inside the queue URL. */
export function createSqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts: 5 });
}

export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: 5 });
}
