/** The queues the delivery function sends jobs to (primary lane, slow lane, dead-letter queue). */

import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeliveryJobSender } from '../../shared/adapters/sqs/deliveryJobSender';
import type { DeliveryDependencies } from './buildDeliveryHandler';
import type { JobDestination } from './jobOutbox';

/**
 * SQS's largest message (body + attributes), 1 MiB:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 * A re-sent job is the received body plus a few envelope fields.
 */
const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** The queues the delivery function sends to, each through a batching `DeliveryJobSender`. */
export function sqsJobQueues(
  sqs: SQSClient,
  queueUrls: Record<JobDestination, string>,
): DeliveryDependencies['jobQueues'] {
  const senders = Object.fromEntries(
    Object.entries(queueUrls).map(([destination, queueUrl]) => [
      destination,
      new DeliveryJobSender(sqs, { queueUrl, maxMessageBytes: SQS_MAX_MESSAGE_BYTES, concurrency: 4 }),
    ]),
  ) as Record<JobDestination, DeliveryJobSender>;
  return { send: (destination, messages) => senders[destination].send(messages) };
}
