import { z } from 'zod';
import type { CrmEvent } from '../events/crmEvent';
import { deliveryIdFor } from './stableIds';

/**
 * One SQS message = one delivery job = (one event, one webhook). The record travels as JSON *text*
 * (`dataJson`) so numbers keep their exact DynamoDB precision through SQS.
 */
export const deliveryJobSchema = z.object({
  v: z.literal(1),
  deliveryId: z.string().min(1),
  webhookId: z.string().min(1),
  workspaceId: z.string().min(1),
  eventId: z.string().min(1),
  event: z.string().min(1),
  object: z.string().min(1),
  action: z.string().min(1),
  recordId: z.string().optional(),
  timestamp: z.string().min(1),
  updatedFields: z.array(z.string()).optional(),
  dataJson: z.string(),
  /** How many times the job came back from the dead-letter queue. */
  redriveCount: z.number().int().nonnegative().optional(),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/**
 * Serializes the event part once and reuses it for every webhook: fan-out to N webhooks costs
 * one JSON.stringify of the record plus N short string concatenations.
 */
export function encodeDeliveryJobs(
  event: CrmEvent,
  webhookIds: readonly string[],
): { webhookId: string; deliveryId: string; body: string }[] {
  if (webhookIds.length === 0) return [];
  const eventPart = JSON.stringify({
    workspaceId: event.workspaceId,
    eventId: event.eventId,
    event: event.name,
    object: event.object,
    action: event.action,
    ...(event.recordId === undefined ? {} : { recordId: event.recordId }),
    timestamp: event.timestamp,
    ...(event.updatedFields === undefined ? {} : { updatedFields: event.updatedFields }),
    dataJson: event.dataJson,
  }).slice(1);
  return webhookIds.map((webhookId) => {
    const deliveryId = deliveryIdFor(webhookId, event.eventId);
    return {
      webhookId,
      deliveryId,
      body: `{"v":1,"deliveryId":${JSON.stringify(deliveryId)},"webhookId":${JSON.stringify(webhookId)},${eventPart}`,
    };
  });
}

export type DecodeResult = { ok: true; job: DeliveryJob } | { ok: false; error: string };

/** Parses an SQS message body; a malformed body is an error value, never an exception. */
export function decodeDeliveryJob(body: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, error: 'message body is not JSON' };
  }
  const result = deliveryJobSchema.safeParse(parsed);
  if (!result.success) {
    return {
      ok: false,
      error: `message body is not a delivery job: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  }
  return { ok: true, job: result.data };
}
