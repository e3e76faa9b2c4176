import {
  createDynamoDbClient,
  createSecretsManagerClient,
  createSqsClient,
} from '../../shared/adapters/aws/clients';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { createSigningSecretStore } from '../../shared/adapters/secrets/createSigningSecrets';
import type { SubscriptionsApiDeps } from './buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from './config';

/** Real adapters, created once per container; endpoints come from the standard AWS_ENDPOINT_URL_* variables. */
export function createDefaultDeps(config: SubscriptionsApiConfig): SubscriptionsApiDeps {
  const dynamo = createDynamoDbClient();
  return {
    webhooks: new WebhookStore(dynamo, config.webhooksTable),
    apiKeys: new ApiKeyStore(dynamo, config.apiKeysTable),
    deliveryLog: new DeliveryLogStore(dynamo, config.deliveryLogTable),
    secrets: createSigningSecretStore(createSecretsManagerClient(), config),
    sqs: createSqsClient(),
    dynamo,
  };
}
