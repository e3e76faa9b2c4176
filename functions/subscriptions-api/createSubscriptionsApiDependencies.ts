/** The management API's real adapters, logger, metrics and clock, created once per container. */

import {
  createDynamoDbClient,
  createSecretsManagerClient,
  createSqsClient,
} from '../../shared/adapters/aws/clients';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { createSigningSecretStore } from '../../shared/adapters/secrets/createSigningSecrets';
import { DeliveryJobSender } from '../../shared/adapters/sqs/deliveryJobSender';
import type { SubscriptionsApiDependencies } from './buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from './config';
import { logger, metrics } from './observability';

/**
 * SQS's largest message (body + attributes), 1 MiB:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * The real adapters, logger, metrics and clock, created once per container (module scope in handler.ts);
 * SDK endpoints come from the standard AWS_ENDPOINT_URL_* variables.
 */
export function createSubscriptionsApiDependencies(
  config: SubscriptionsApiConfig,
): SubscriptionsApiDependencies {
  const dynamo = createDynamoDbClient();
  return {
    webhooks: new WebhookStore(dynamo, config.webhooksTable),
    apiKeys: new ApiKeyStore(dynamo, config.apiKeysTable),
    deliveryLog: new DeliveryLogStore(dynamo, config.deliveryLogTable),
    // Each webhook's dead letters live in the delivery log table.
    deadLetters: new DeadLetterIndex(dynamo, config.deliveryLogTable),
    jobSender: new DeliveryJobSender(createSqsClient(), {
      queueUrl: config.deliveriesQueueUrl,
      maxMessageBytes: SQS_MAX_MESSAGE_BYTES,
      concurrency: 4,
    }),
    secrets: createSigningSecretStore(createSecretsManagerClient(), config),
    logger,
    metrics,
    now: () => new Date(),
  };
}
