import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeDeliveryJobs, WEBHOOK_ID_ATTRIBUTE } from '../../../shared/domain/delivery/deliveryJob';
import { WebhookDisabledError } from '../../../shared/domain/errors';
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

/** Enqueues the test job exactly as the event mapper enqueues real ones (same body, same attribute). */
export async function sendTestEvent(
  deps: { sqs: SQSClient; deliveriesQueueUrl: string },
  webhook: Webhook,
  now: Date,
): Promise<{ eventId: string; deliveryId: string }> {
  if (webhook.status !== 'active') throw new WebhookDisabledError(webhook.id, 'send a test event');
  const event = buildTestEvent(webhook, now);
  const [job] = encodeDeliveryJobs(event, [webhook.id]);
  if (!job) throw new Error('encodeDeliveryJobs returned no job for one webhook');
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.deliveriesQueueUrl,
      MessageBody: job.body,
      MessageAttributes: { [WEBHOOK_ID_ATTRIBUTE]: { DataType: 'String', StringValue: webhook.id } },
    }),
  );
  return { eventId: event.eventId, deliveryId: job.deliveryId };
}
