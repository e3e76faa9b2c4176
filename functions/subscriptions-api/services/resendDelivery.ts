/** Sends one dead-lettered delivery again, from the payload the dead-letter index keeps. */

import type { DeadLetterIndex } from '../../../shared/adapters/dynamodb/deadLetterIndex';
import type { DeliveryJobSender } from '../../../shared/adapters/sqs/deliveryJobSender';
import { DeliveryNotRetainedError, WebhookDisabledError } from '../../../shared/domain/errors';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import { sendDeadLettersBack } from './sendDeadLettersBack';

/**
 * Sends one delivery again, from the payload the webhook's dead-letter index retains (dead-lettered
 * deliveries keep it 14 days; other deliveries keep none). Same delivery id, attempts afresh.
 */
export async function resendDelivery(
  deps: { deadLetters: Pick<DeadLetterIndex, 'get' | 'remove'>; jobSender: Pick<DeliveryJobSender, 'send'> },
  webhook: Webhook,
  deliveryId: string,
): Promise<{ deliveryId: string; eventId: string }> {
  if (webhook.status !== 'active') throw new WebhookDisabledError(webhook.id, 'resend a delivery');
  const entry = await deps.deadLetters.get(webhook.id, deliveryId);
  if (entry === undefined) throw new DeliveryNotRetainedError(deliveryId);
  const sent = await sendDeadLettersBack(deps, [entry]);
  if (sent !== 1) throw new Error('SQS did not accept the resent delivery');
  return { deliveryId, eventId: entry.eventId };
}
