/** Enqueues a synthetic `webhook.test` event for one webhook. */

import { randomUUID } from 'node:crypto';
import type { DeliveryJobSender } from '../../../shared/adapters/sqs/deliveryJobSender';
import { encodeDeliveryJobs, WEBHOOK_ID_ATTRIBUTE } from '../../../shared/domain/delivery/deliveryJob';
import { JobNotEnqueuedError, WebhookDisabledError } from '../../../shared/domain/errors';
import { type CrmEvent, TEST_EVENT_NAME } from '../../../shared/domain/events/crmEvent';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';

/** The synthetic `webhook.test` event for one webhook (operations do not filter it). */
function buildTestEvent(webhook: Webhook, now: Date): CrmEvent {
  const timestamp = now.toISOString();
  return {
    eventId: `evt_${randomUUID().replaceAll('-', '')}`,
    name: TEST_EVENT_NAME,
    object: 'webhook',
    action: 'test',
    workspaceId: webhook.workspaceId,
    recordId: webhook.id,
    timestamp,
    dataJson: JSON.stringify({
      webhookId: webhook.id,
      message: 'This is a test event',
      targetUrl: webhook.targetUrl,
      sentAt: timestamp,
    }),
  };
}

/**
 * Enqueues the test job exactly as the event mapper enqueues real ones: same body, same attribute,
 * through the same job sender. Throws JobNotEnqueuedError when the queue did not take it.
 */
export async function sendTestEvent(
  deps: { jobSender: Pick<DeliveryJobSender, 'send'>; now: () => Date },
  webhook: Webhook,
): Promise<{ eventId: string; deliveryId: string }> {
  if (webhook.status !== 'active') throw new WebhookDisabledError(webhook.id, 'send a test event');
  const event = buildTestEvent(webhook, deps.now());
  const [job] = encodeDeliveryJobs(event, [webhook.id]);
  if (!job) throw new Error('encodeDeliveryJobs returned no job for one webhook');
  const [outcome] = await deps.jobSender.send([
    { entryId: 'test', body: job.body, attributes: { [WEBHOOK_ID_ATTRIBUTE]: webhook.id } },
  ]);
  if (outcome?.status === 'failed') throw new JobNotEnqueuedError(outcome.code, outcome.senderFault);
  // Larger than SQS accepts: cannot happen for this small body, and retrying would not help.
  if (outcome?.status !== 'sent') throw new JobNotEnqueuedError('MessageTooLarge', true);
  return { eventId: event.eventId, deliveryId: job.deliveryId };
}
