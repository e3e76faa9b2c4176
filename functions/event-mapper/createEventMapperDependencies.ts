/** The event mapper's real adapters, created once per container. */

import { createDynamoDbClient, createSqsClient } from '../../shared/adapters/aws/clients';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { DeliveryJobSender } from '../../shared/adapters/sqs/deliveryJobSender';
import type { EventMapperDependencies } from './buildEventMapperHandler';
import type { EventMapperConfig } from './config';
import { logger, metrics } from './observability';

/**
 * The real adapters, logger, metrics and clock, created once per container (module scope in handler.ts);
 * SDK endpoints come from the standard AWS_ENDPOINT_URL_* configuration.
 */
export function createEventMapperDependencies(config: EventMapperConfig): EventMapperDependencies {
  return {
    webhookStore: new WebhookStore(createDynamoDbClient(), config.webhooksTable),
    jobSender: new DeliveryJobSender(createSqsClient(), {
      queueUrl: config.deliveriesQueueUrl,
      maxMessageBytes: config.sqsMaxMessageBytes,
      concurrency: config.sendConcurrency,
    }),
    logger,
    metrics,
    now: () => new Date(),
  };
}
