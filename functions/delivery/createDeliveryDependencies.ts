import {
  createDynamoDbClient,
  createSecretsManagerClient,
  createSqsClient,
} from '../../shared/adapters/aws/clients';
import { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { createWebhookHttpClient } from '../../shared/adapters/http/webhookHttpClient';
import { SigningSecretCache } from '../../shared/adapters/secrets/signingSecretCache';
import type { DeliveryDependencies } from './buildDeliveryHandler';
import type { DeliveryConfig } from './config';
import { sqsMessageVisibility } from './messageVisibility';

/** The real adapters, created once per container (module scope in handler.ts). */
export function createDeliveryDependencies(config: DeliveryConfig): DeliveryDependencies {
  const dynamoDb = createDynamoDbClient();
  return {
    webhookStore: new WebhookStore(dynamoDb, config.webhooksTable),
    deliveryLog: new DeliveryLogStore(dynamoDb, config.deliveryLogTable),
    visibility: sqsMessageVisibility(createSqsClient(), config.deliveriesQueueUrl),
    signingSecrets: new SigningSecretCache(createSecretsManagerClient()),
    http: createWebhookHttpClient({
      policy: { allowLoopback: config.localMode },
      connectTimeoutMs: config.requestTimeoutMs,
    }),
  };
}
