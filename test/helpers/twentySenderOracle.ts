import { createHmac } from 'node:crypto';

/**
 * TEST ORACLE: Twenty CRM's webhook sender, re-typed from its source so tests can compare our
 * `twenty`-format bodies with the bytes Twenty itself would send for the same change. It follows
 * twentyhq/twenty, packages/twenty-server/src/:
 *
 * - engine/twenty-orm/utils/format-twenty-orm-event-to-database-batch-event.util.ts (the version taking
 *   `recordsAfter` / `recordsBefore`): CREATED → `{ after }`; UPDATED, DELETED (soft delete) and
 *   RESTORED → `{ before, after, updatedFields, diff }`, no event when nothing changed; DESTROYED →
 *   `{ before }`; every event carries `userId` and `workspaceMemberId` from the auth context.
 * - engine/core-modules/event-emitter/utils/object-record-changed-values.ts
 *   (commit 02a1f88e0f8d5e486b010c031366db2f90e87082): the diff skips `updatedAt`, `searchVector`,
 *   relation fields and deep-equal values, in the key order of the record after the change.
 * - twenty-shared/src/database-events/object-record-delete.event.ts
 *   (commit fbfcbd599edaaf2e75014eaf916083f46574c5ad): the declared delete shape, `{ before }` only.
 * - engine/metadata-modules/webhook/utils/transform-event-to-webhook-event.ts
 *   (commit 2166aaf3c39331e8bd1c00c0dee1ce7c07d6028c): `record` = `after` if defined, else `before`,
 *   else `{}`; `updatedFields` only when the event has them; `secret` stripped from `webhook` records.
 * - engine/metadata-modules/webhook/utils/transform-event-batch-to-webhook-events.ts
 *   (commit 0386428f48756815a394e886ceaa963b617c8366): the job data, in this key order.
 * - engine/metadata-modules/webhook/jobs/call-webhook.job.ts
 *   (commit 4225922868c518dbbe89c6c1345963a759b43d7a): `const { secret, ...payloadWithoutSecret } = data`,
 *   signature = hex HMAC-SHA256(secret, `${timestamp}:${JSON.stringify(payloadWithoutSecret)}`), and
 *   axios posts the object, which it serialises with `JSON.stringify`.
 *
 * Records are plain JS values (Twenty reads them from Postgres through TypeORM): numbers are JS numbers.
 */

// biome-ignore lint/suspicious/noExplicitAny: Twenty's records are `any` (CallWebhookJobData.record).
export type TwentyRecord = Record<string, any>;

export type TwentyAction = 'created' | 'updated' | 'deleted' | 'restored' | 'destroyed';

export interface TwentyObjectRecordEvent {
  recordId: string;
  userId?: string;
  workspaceMemberId?: string;
  properties: {
    before?: TwentyRecord;
    after?: TwentyRecord;
    updatedFields?: string[];
    diff?: Record<string, { before: unknown; after: unknown }>;
  };
}

/** `objectRecordChangedValues` (without relation fields: our sources have none). */
function objectRecordChangedValues(
  before: TwentyRecord,
  after: TwentyRecord,
): Record<string, { before: unknown; after: unknown }> {
  const diff: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of Object.keys(after)) {
    if (key === 'updatedAt' || key === 'searchVector' || deepEqual(before[key], after[key])) continue;
    diff[key] = { before: before[key], after: after[key] };
  }
  return diff;
}

/**
 * The ORM event for one record change, as `formatTwentyOrmEventToDatabaseBatchEvent` builds it, or
 * undefined when Twenty emits none. `declaredDeleteShape` gives the `{ before }` delete of
 * twenty-shared's `ObjectRecordDeleteEvent` (a removal with no trash in between).
 */
export function twentyOrmEvent(input: {
  action: TwentyAction;
  before?: TwentyRecord;
  after?: TwentyRecord;
  userId?: string;
  workspaceMemberId?: string;
  declaredDeleteShape?: boolean;
}): TwentyObjectRecordEvent | undefined {
  const actor = { userId: input.userId, workspaceMemberId: input.workspaceMemberId };
  if (input.action === 'deleted' && input.declaredDeleteShape) {
    return { ...actor, recordId: input.before?.id, properties: { before: input.before } };
  }
  switch (input.action) {
    case 'created':
      return { ...actor, recordId: input.after?.id, properties: { after: input.after } };
    case 'destroyed':
      return { ...actor, recordId: input.before?.id, properties: { before: input.before } };
    // Twenty's soft delete is built like an update.
    case 'deleted':
    case 'updated':
    case 'restored': {
      const before = input.before as TwentyRecord;
      const after = input.after as TwentyRecord;
      const diff = objectRecordChangedValues(before, after);
      const updatedFields = Object.keys(diff);
      if (updatedFields.length === 0) return undefined;
      return { ...actor, recordId: after.id, properties: { before, after, updatedFields, diff } };
    }
  }
}

/** `transformEventToWebhookEvent`. */
function transformEventToWebhookEvent(eventName: string, event: TwentyObjectRecordEvent) {
  const [nameSingular] = eventName.split('.');
  const record =
    'after' in event.properties && isDefined(event.properties.after)
      ? event.properties.after
      : 'before' in event.properties && isDefined(event.properties.before)
        ? event.properties.before
        : {};
  const updatedFields = 'updatedFields' in event.properties ? event.properties.updatedFields : undefined;
  const sanitizedRecord = removeSecretFromWebhookRecord(record, nameSingular === 'webhook');
  return { record: sanitizedRecord, ...(updatedFields && { updatedFields }) };
}

function removeSecretFromWebhookRecord(record: TwentyRecord, isWebhookEvent: boolean): TwentyRecord {
  if (!isWebhookEvent) return record;
  const { secret: _secret, ...rest } = record;
  return rest;
}

/** One element of `transformEventBatchToWebhookEvents`'s result (`CallWebhookJobData`). */
export function twentyCallWebhookJobData(input: {
  webhook: { id: string; targetUrl: string; secret: string };
  eventName: string;
  objectMetadata: { id: string; nameSingular: string };
  workspaceId: string;
  eventDate: Date;
  event: TwentyObjectRecordEvent;
}) {
  const { record, updatedFields } = transformEventToWebhookEvent(input.eventName, input.event);
  return {
    targetUrl: input.webhook.targetUrl,
    eventName: input.eventName,
    objectMetadata: { id: input.objectMetadata.id, nameSingular: input.objectMetadata.nameSingular },
    workspaceId: input.workspaceId,
    webhookId: input.webhook.id,
    eventDate: input.eventDate,
    userId: input.event.userId,
    workspaceMemberId: input.event.workspaceMemberId,
    record,
    ...(updatedFields && { updatedFields }),
    secret: input.webhook.secret,
  };
}

/** What `CallWebhookJob.callWebhook` sends: the body bytes and its signature header. */
export function twentyRequest(
  data: ReturnType<typeof twentyCallWebhookJobData>,
  timestampMs: number,
): { body: string; signature: string } {
  const { secret, ...payloadWithoutSecret } = data;
  const signature = createHmac('sha256', secret)
    .update(`${timestampMs}:${JSON.stringify(payloadWithoutSecret)}`)
    .digest('hex');
  return { body: JSON.stringify(payloadWithoutSecret), signature };
}

/**
 * The receiver from Twenty's documentation (docs.twenty.com, Webhooks → validating the signature):
 * it verifies `JSON.stringify` of the parsed body, not the raw bytes.
 */
export function twentyDocumentedReceiverAccepts(
  secret: string,
  rawBody: string,
  headers: Record<string, string>,
): boolean {
  const timestamp = headers['x-twenty-webhook-timestamp'] ?? headers['X-Twenty-Webhook-Timestamp'];
  const signature = headers['x-twenty-webhook-signature'] ?? headers['X-Twenty-Webhook-Signature'];
  const payload = JSON.stringify(JSON.parse(rawBody)); // what an Express json() body becomes
  const expected = createHmac('sha256', secret).update(`${timestamp}:${payload}`).digest('hex');
  return signature === expected;
}

function isDefined<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

/** The `deep-equal` package's answer for JSON-like values. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // deep-equal's loose mode treats null and undefined alike; Twenty's columns are never undefined.
    return a == null && b == null;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every(
    (key) => Object.hasOwn(b, key) && deepEqual((a as TwentyRecord)[key], (b as TwentyRecord)[key]),
  );
}
