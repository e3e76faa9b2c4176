import { describe, expect, it } from 'vitest';
import { sendTestEvent } from '../../../../../functions/subscriptions-api/services/sendTestEvent';
import type { OutgoingMessage, SendOutcome } from '../../../../../shared/adapters/sqs/deliveryJobSender';
import { decodeDeliveryJob } from '../../../../../shared/domain/delivery/deliveryJob';
import { JobNotEnqueuedError, WebhookDisabledError } from '../../../../../shared/domain/errors';
import type { Webhook } from '../../../../../shared/domain/webhooks/webhook';

const webhook = {
  id: 'wh_test00000001',
  workspaceId: 'ws-1',
  status: 'active',
  targetUrl: 'https://hooks.example.com/in',
} as Webhook;
const NOW = new Date('2026-12-05T01:00:00.000Z');

/** A job sender that answers every message with `answer` and keeps what it was given. */
function sender(answer: (message: OutgoingMessage) => SendOutcome) {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    send: async (messages: readonly OutgoingMessage[]) => {
      sent.push(...messages);
      return messages.map(answer);
    },
  };
}

describe('sendTestEvent', () => {
  it('enqueues one webhook.test job through the job sender, with the webhookId attribute', async () => {
    const jobSender = sender((m) => ({ entryId: m.entryId, status: 'sent' }));
    const accepted = await sendTestEvent({ jobSender, now: () => NOW }, webhook);
    expect(jobSender.sent).toHaveLength(1);
    const [message] = jobSender.sent;
    expect(message?.attributes).toEqual({ webhookId: webhook.id });
    const decoded = decodeDeliveryJob(message?.body ?? '');
    expect(decoded.ok && decoded.job).toMatchObject({
      webhookId: webhook.id,
      workspaceId: 'ws-1',
      event: 'webhook.test',
      eventId: accepted.eventId,
      deliveryId: accepted.deliveryId,
      timestamp: NOW.toISOString(),
    });
  });

  it('fails with JobNotEnqueuedError, carrying SQS’s code, when the queue refuses the job', async () => {
    const jobSender = sender((m) => ({
      entryId: m.entryId,
      status: 'failed',
      code: 'KmsThrottled',
      senderFault: false,
      attempts: 3,
    }));
    const sending = sendTestEvent({ jobSender, now: () => NOW }, webhook);
    await expect(sending).rejects.toBeInstanceOf(JobNotEnqueuedError);
    await expect(sending).rejects.toMatchObject({ code: 'KmsThrottled', senderFault: false });
  });

  it('sends nothing for a disabled webhook', async () => {
    const jobSender = sender((m) => ({ entryId: m.entryId, status: 'sent' }));
    await expect(
      sendTestEvent({ jobSender, now: () => NOW }, { ...webhook, status: 'disabled' }),
    ).rejects.toBeInstanceOf(WebhookDisabledError);
    expect(jobSender.sent).toEqual([]);
  });
});
