/** The delivery job (one event for one webhook, one SQS message): its schema, encoder and decoder. */

import * as z from 'zod/mini';
import '../../config/zodEnglishErrors';
import type { CrmEvent } from '../events/crmEvent';
import type { PayloadFormat } from '../webhooks/webhook';
import { deliveryIdFor } from './stableIds';

const nonEmptyString = () => z.string().check(z.minLength(1));

/** The string attribute on every delivery job's SQS message: its webhook id (the redrive filters on it). */
export const WEBHOOK_ID_ATTRIBUTE = 'webhookId';

/**
 * One SQS message = one delivery job = (one event, one webhook). In memory the record is JSON *text*
 * (`dataJson`) so numbers keep their exact DynamoDB precision; on the queue it travels as raw JSON in
 * the body's last field, `data` (see `encodeDeliveryJob`). `zod/mini` keeps classic zod out of the
 * event-mapper and delivery bundles.
 */
export const deliveryJobSchema = z.object({
  v: z.literal(1),
  deliveryId: nonEmptyString(),
  webhookId: nonEmptyString(),
  workspaceId: nonEmptyString(),
  eventId: nonEmptyString(),
  event: nonEmptyString(),
  object: nonEmptyString(),
  action: nonEmptyString(),
  recordId: z.optional(z.string()),
  timestamp: nonEmptyString(),
  updatedFields: z.optional(z.array(z.string())),
  /** Twenty's `objectMetadata.id` when configured for the object (the `twenty` format derives one otherwise). */
  objectMetadataId: z.optional(nonEmptyString()),
  userId: z.optional(nonEmptyString()),
  workspaceMemberId: z.optional(nonEmptyString()),
  dataJson: z.string(),
  /** How many times the job came back from the dead-letter queue. */
  redriveCount: z.optional(z.number().check(z.int(), z.nonnegative())),
  /**
   * The attempt this message will make, 1-based; absent = 1 (the mapper's jobs, and messages written
   * before retries were re-sent). Carried in the body because a retry is a new message, so SQS's
   * ApproximateReceiveCount no longer counts attempts.
   */
  attempt: z.optional(z.number().check(z.int(), z.positive())),
  /** Epoch ms before which no attempt is made: a wait longer than one SQS delay (15 min) is chained. */
  notBefore: z.optional(z.number().check(z.int(), z.nonnegative())),
  /**
   * The rate-limit slot (epoch ms) this job reserved and waits for; it delivers without asking the
   * limiter again while `notBefore` still equals it (`holdsRateSlot`).
   */
  rateSlot: z.optional(z.number().check(z.int(), z.nonnegative())),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** The attempt number a received job makes (absent = its first). */
export function attemptOf(job: Pick<DeliveryJob, 'attempt'>): number {
  return job.attempt ?? 1;
}

/** Everything in the body before `data`: small, parsed with JSON.parse and checked field by field. */
const envelopeSchema = z.omit(deliveryJobSchema, { dataJson: true });

/**
 * The key that introduces the record. Inside a JSON string every `"` is escaped, and the envelope has
 * no nested objects, so in a well-formed body the first occurrence of this text is the top-level key.
 */
const DATA_KEY = ',"data":';

/** A job ready to send: its body and what the caller needs to track it. */
export interface EncodedDeliveryJob {
  webhookId: string;
  deliveryId: string;
  body: string;
}

/**
 * The job body: `{"v":1,"deliveryId":…,"webhookId":…,<event fields>,"data":<record JSON>}`. The record
 * is spliced in as raw JSON text, never parsed or re-escaped, and always comes last so the decoder can
 * take it back as text without reading its numbers.
 */
export function encodeDeliveryJob(job: DeliveryJob): string {
  const { dataJson, ...envelope } = job;
  return `${JSON.stringify(envelope).slice(0, -1)}${DATA_KEY}${dataJson}}`;
}

/**
 * Jobs for one event and several webhooks. The event part of the body (everything after the webhook
 * id, the record included) is built once and shared by every job, so fan-out to N webhooks costs N
 * delivery ids and N short concatenations. `payloadFormats` (parallel to `webhookIds`) picks the record
 * of a soft delete: `twenty`-format webhooks get the trashed record (`recordAfterJson`), as Twenty sends
 * it; the others the record before the change.
 */
export function encodeDeliveryJobs(
  event: CrmEvent,
  webhookIds: readonly string[],
  payloadFormats?: readonly PayloadFormat[],
): EncodedDeliveryJob[] {
  const count = webhookIds.length;
  if (count === 0) return [];
  const eventPart = eventBodySuffix(event, event.dataJson);
  let twentyEventPart: string | undefined;
  const jobs = new Array<EncodedDeliveryJob>(count);
  for (let i = 0; i < count; i++) {
    const webhookId = webhookIds[i] as string;
    let suffix = eventPart;
    if (event.recordAfterJson !== undefined && payloadFormats?.[i] === 'twenty') {
      twentyEventPart ??= eventBodySuffix(event, event.recordAfterJson);
      suffix = twentyEventPart;
    }
    // Delivery ids are `msg_` + hex: no escaping needed.
    const deliveryId = deliveryIdFor(webhookId, event.eventId);
    jobs[i] = {
      webhookId,
      deliveryId,
      body: `{"v":1,"deliveryId":"${deliveryId}","webhookId":${JSON.stringify(webhookId)}${suffix}`,
    };
  }
  return jobs;
}

/** `,"workspaceId":…,"updatedFields":[…],"data":<record>}` — key order as in `encodeDeliveryJob`. */
function eventBodySuffix(event: CrmEvent, dataJson: string): string {
  let out = `,"workspaceId":${JSON.stringify(event.workspaceId)},"eventId":${JSON.stringify(event.eventId)},"event":${JSON.stringify(event.name)},"object":${JSON.stringify(event.object)},"action":${JSON.stringify(event.action)}`;
  if (event.recordId !== undefined) out += `,"recordId":${JSON.stringify(event.recordId)}`;
  out += `,"timestamp":${JSON.stringify(event.timestamp)}`;
  if (event.updatedFields !== undefined) out += `,"updatedFields":${JSON.stringify(event.updatedFields)}`;
  if (event.objectMetadataId !== undefined) {
    out += `,"objectMetadataId":${JSON.stringify(event.objectMetadataId)}`;
  }
  if (event.userId !== undefined) out += `,"userId":${JSON.stringify(event.userId)}`;
  if (event.workspaceMemberId !== undefined) {
    out += `,"workspaceMemberId":${JSON.stringify(event.workspaceMemberId)}`;
  }
  return `${out}${DATA_KEY}${dataJson}}`;
}

export type DecodeResult = { ok: true; job: DeliveryJob } | { ok: false; error: string };

/**
 * Parses an SQS message body; a malformed body is an error value, never an exception. Only the
 * envelope is parsed; the record is returned as the exact text it was sent as, so its numbers are
 * never read through a JS number. The record must be a JSON object (`{…}`); its inside is not
 * re-validated here, as it was produced by `attributeMapToJson`.
 */
export function decodeDeliveryJob(body: string): DecodeResult {
  const dataKey = body.indexOf(DATA_KEY);
  if (dataKey < 0 || body.charCodeAt(0) !== 0x7b /* { */) {
    return { ok: false, error: 'message body is not a delivery job: no "data" field after the envelope' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(`${body.slice(0, dataKey)}}`);
  } catch {
    return { ok: false, error: 'message body is not a delivery job: its envelope is not JSON' };
  }
  const result = z.safeParse(envelopeSchema, parsed);
  if (!result.success) {
    return {
      ok: false,
      error: `message body is not a delivery job: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  }
  // SQS returns bodies byte for byte as sent, and the encoder writes no whitespace.
  const dataJson = body.slice(dataKey + DATA_KEY.length, -1);
  if (
    body.charCodeAt(body.length - 1) !== 0x7d /* } */ ||
    dataJson.charCodeAt(0) !== 0x7b /* { */ ||
    dataJson.charCodeAt(dataJson.length - 1) !== 0x7d /* } */
  ) {
    return { ok: false, error: 'message body is not a delivery job: "data" is not a JSON object' };
  }
  return { ok: true, job: { ...result.data, dataJson } };
}
