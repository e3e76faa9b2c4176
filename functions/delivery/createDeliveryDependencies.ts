/** The delivery function's real adapters, created once per container. */

import {
  createDynamoDbClient,
  createSecretsManagerClient,
  createSqsClient,
} from '../../shared/adapters/aws/clients';
import { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLimiterStore } from '../../shared/adapters/dynamodb/deliveryLimiterStore';
import { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { createWebhookHttpClient } from '../../shared/adapters/http/webhookHttpClient';
import { createSigningSecretsReader } from '../../shared/adapters/secrets/createSigningSecrets';
import type { DeliveryDependencies } from './buildDeliveryHandler';
import type { DeliveryConfig } from './config';
import { logger, metrics } from './observability';
import { sampledDeliveryLog } from './sampledDeliveryLog';
import { sqsJobQueues } from './sqsJobQueues';

/** The real adapters, logger, metrics and clock, created once per container (module scope in handler.ts). */
export function createDeliveryDependencies(config: DeliveryConfig): DeliveryDependencies {
  const dynamoDb = createDynamoDbClient();
  return {
    webhookStore: new WebhookStore(dynamoDb, config.webhooksTable),
    deliveryLog: sampledDeliveryLog(
      new DeliveryLogStore(dynamoDb, config.deliveryLogTable),
      config.deliveryLogSuccessSampleRate,
    ),
    deadLetters: new DeadLetterIndex(dynamoDb, config.deliveryLogTable),
    limiter: new DeliveryLimiterStore(dynamoDb, config.deliveryLogTable),
    jobQueues: sqsJobQueues(createSqsClient(), {
      deliveries: config.deliveriesQueueUrl,
      'slow-lane': config.slowLaneQueueUrl,
      'dead-letter': config.deadLetterQueueUrl,
    }),
    signingSecrets: createSigningSecretsReader(createSecretsManagerClient(), config, (webhook) => {
      logger.warn('Previous signing secret version not found; signing with the current one only', {
        webhookId: webhook.id,
      });
    }),
    http: createWebhookHttpClient({
      policy: { allowLoopback: config.localMode },
      connectTimeoutMs: config.requestTimeoutMs,
    }),
    logger,
    metrics,
    now: () => new Date(),
  };
}
