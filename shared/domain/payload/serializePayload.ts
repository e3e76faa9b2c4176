import type { DeliveryJob } from '../delivery/deliveryJob';
import type { PayloadFormat } from '../webhooks/webhook';

/**
 * The request bodies. `job.dataJson` is spliced in as raw text, never parsed, so DynamoDB numbers
 * keep every digit. The returned string is exactly what is signed and sent.
 */

/** Default format (DESIGN.md "Payload"): `event`, `data`, `timestamp` first, then our additions. */
export function serializeDefaultPayload(job: DeliveryJob): string {
  return (
    `{"event":${JSON.stringify(job.event)}` +
    `,"data":${job.dataJson}` +
    `,"timestamp":${JSON.stringify(job.timestamp)}` +
    `,"eventId":${JSON.stringify(job.eventId)}` +
    `,"webhookId":${JSON.stringify(job.webhookId)}` +
    `,"workspaceId":${JSON.stringify(job.workspaceId)}` +
    `,"objectMetadata":{"nameSingular":${JSON.stringify(job.object)}}` +
    updatedFieldsPart(job) +
    '}'
  );
}

/**
 * Twenty's own body, key for key in the order its sender (`CallWebhookJobsJob`) builds it and
 * `JSON.stringify` writes it: targetUrl, eventName, objectMetadata, workspaceId, webhookId,
 * eventDate (a Date, hence ISO 8601 with milliseconds), record, then updatedFields when defined.
 * Twenty's objectMetadata also carries its internal metadata id, which has no equivalent here.
 */
export function serializeTwentyPayload(job: DeliveryJob, targetUrl: string): string {
  return (
    `{"targetUrl":${JSON.stringify(targetUrl)}` +
    `,"eventName":${JSON.stringify(job.event)}` +
    `,"objectMetadata":{"nameSingular":${JSON.stringify(job.object)}}` +
    `,"workspaceId":${JSON.stringify(job.workspaceId)}` +
    `,"webhookId":${JSON.stringify(job.webhookId)}` +
    `,"eventDate":${JSON.stringify(job.timestamp)}` +
    `,"record":${job.dataJson}` +
    updatedFieldsPart(job) +
    '}'
  );
}

export function serializePayload(
  job: DeliveryJob,
  webhook: { payloadFormat: PayloadFormat; targetUrl: string },
): string {
  return webhook.payloadFormat === 'twenty'
    ? serializeTwentyPayload(job, webhook.targetUrl)
    : serializeDefaultPayload(job);
}

function updatedFieldsPart(job: DeliveryJob): string {
  return job.updatedFields === undefined ? '' : `,"updatedFields":${JSON.stringify(job.updatedFields)}`;
}
