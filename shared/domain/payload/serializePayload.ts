/** The request bodies a webhook receives, in the default and the `twenty` format. */

import type { DeliveryJob } from '../delivery/deliveryJob';
import type { PayloadFormat } from '../webhooks/webhook';
import { objectMetadataIdFor } from './objectMetadataId';

/**
 * The request bodies. `job.dataJson` is spliced in as raw text, never parsed, so DynamoDB numbers
 * keep every digit. The returned string is exactly what is signed and sent.
 */

/** Default format (docs/domain.md, "Default format"): `event`, `data`, `timestamp` first, then our additions. */
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
 * Twenty's own body, key for key in the order its sender builds it (`transformEventBatchToWebhookEvents`
 * in twentyhq/twenty packages/twenty-server/src/engine/metadata-modules/webhook/utils/) and
 * `CallWebhookJob` posts it (`JSON.stringify` of the job data without its secret): targetUrl, eventName,
 * objectMetadata {id, nameSingular}, workspaceId, webhookId, eventDate (a Date, hence ISO 8601 with
 * milliseconds), userId and workspaceMemberId when known, record, then updatedFields when defined.
 *
 * The record goes through `JSON.parse` + `JSON.stringify`, as Twenty's records are JS values: numbers
 * are written as JavaScript writes them (beyond 2^53 or 17 significant digits they are rounded), so
 * `JSON.stringify(JSON.parse(body)) === body` and receivers that verify the signature over
 * `JSON.stringify(parsedBody)`, as Twenty's documentation shows, accept it. The default format keeps
 * every DynamoDB digit instead.
 */
export function serializeTwentyPayload(job: DeliveryJob, targetUrl: string): string {
  const objectMetadataId = job.objectMetadataId ?? objectMetadataIdFor(job.workspaceId, job.object);
  return (
    `{"targetUrl":${JSON.stringify(targetUrl)}` +
    `,"eventName":${JSON.stringify(job.event)}` +
    `,"objectMetadata":{"id":${JSON.stringify(objectMetadataId)},"nameSingular":${JSON.stringify(job.object)}}` +
    `,"workspaceId":${JSON.stringify(job.workspaceId)}` +
    `,"webhookId":${JSON.stringify(job.webhookId)}` +
    `,"eventDate":${JSON.stringify(job.timestamp)}` +
    (job.userId === undefined ? '' : `,"userId":${JSON.stringify(job.userId)}`) +
    (job.workspaceMemberId === undefined
      ? ''
      : `,"workspaceMemberId":${JSON.stringify(job.workspaceMemberId)}`) +
    `,"record":${JSON.stringify(JSON.parse(job.dataJson))}` +
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
