/** Maps one DynamoDB stream record to zero or one CRM event, or an error value. */

import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import {
  type CrmSourcesConfig,
  type CrmTableConfig,
  sourceAttributesOf,
} from '../../config/crmSourcesConfig';
import { eventIdFor } from '../delivery/stableIds';
import { attributeMapToJson, attributeValuesEqual } from './attributeValueToJson';
import type { CrmAction, CrmEvent } from './crmEvent';

export type MapErrorReason =
  | 'no-object'
  | 'no-workspace'
  /** No workspace attribute, and the config names no `defaultWorkspaceId` to fall back to. */
  | 'no-default-workspace'
  | 'no-id'
  | 'no-image'
  | 'unsupported';

export type MapResult =
  | { kind: 'event'; event: CrmEvent }
  | { kind: 'skip'; reason: 'no-change' }
  | { kind: 'error'; reason: MapErrorReason; message: string };

type Item = Record<string, AttributeValue>;

const OBJECT_NAME = /^[a-z][a-zA-Z0-9]*$/;

/**
 * One DynamoDB stream record → zero or one CRM event (docs/domain.md, "From a DynamoDB stream record
 * to an event"). Never throws: a record that cannot be mapped is an error value the caller counts and
 * logs (without its contents).
 *
 * TTL expiries (REMOVE by the `dynamodb.amazonaws.com` principal) follow the same rules as any REMOVE.
 * `now` is only used when a record carries no ApproximateCreationDateTime (Lambda always sets it).
 */
export function mapStreamRecord(
  record: DynamoDBRecord,
  table: CrmTableConfig,
  config: CrmSourcesConfig,
  now: () => Date = () => new Date(),
): MapResult {
  try {
    return mapOrError(record, table, config, now);
  } catch (error) {
    // Only malformed attribute values (e.g. a number that is not a decimal) get here.
    return failure('unsupported', error instanceof Error ? error.message : String(error));
  }
}

function mapOrError(
  record: DynamoDBRecord,
  table: CrmTableConfig,
  config: CrmSourcesConfig,
  now: () => Date,
): MapResult {
  if (record.eventID === undefined || record.eventID === '') {
    return failure('unsupported', 'stream record has no eventID');
  }
  const stream = record.dynamodb ?? {};
  const newImage = stream.NewImage;
  const oldImage = stream.OldImage;
  const attributes = sourceAttributesOf(table, config);
  const softDelete = attributes.softDeleteAttribute;

  let action: CrmAction;
  let data: Item;
  // The record after the change when `data` is the one before it (soft deletes): Twenty sends this one.
  let recordAfter: Item | undefined;
  let updatedFields: string[] | undefined;
  switch (record.eventName) {
    case 'INSERT':
      if (newImage === undefined) return missingImage('INSERT', 'NewImage');
      action = 'created';
      data = newImage;
      break;
    case 'MODIFY': {
      if (newImage === undefined || oldImage === undefined) {
        return missingImage('MODIFY', newImage === undefined ? 'NewImage' : 'OldImage');
      }
      const wasDeleted = softDelete !== null && isSet(oldImage[softDelete]);
      const isDeleted = softDelete !== null && isSet(newImage[softDelete]);
      const changed = changedFields(oldImage, newImage);
      if (!wasDeleted && isDeleted) {
        // Twenty's soft delete event carries the trashed record and the changed fields
        // (format-twenty-orm-event-to-database-batch-event.util.ts treats DELETED like UPDATED).
        action = 'deleted';
        data = oldImage;
        recordAfter = newImage;
      } else if (wasDeleted && !isDeleted) {
        action = 'restored';
        data = newImage;
      } else {
        if (changed.length === 0) return { kind: 'skip', reason: 'no-change' };
        action = 'updated';
        data = newImage;
      }
      updatedFields = changed;
      break;
    }
    case 'REMOVE':
      if (oldImage === undefined) return missingImage('REMOVE', 'OldImage');
      // A source with a trash: removing a record, trashed or not, is permanent (Twenty's `destroyed`).
      // Without one, a removal is the only delete there is.
      action = softDelete === null ? 'deleted' : 'destroyed';
      data = oldImage;
      break;
    default:
      return failure('unsupported', `unsupported stream eventName ${JSON.stringify(record.eventName)}`);
  }

  const object = objectOf(data, table);
  if (typeof object !== 'string') return object;
  const workspaceId = workspaceOf(data, config);
  if (typeof workspaceId !== 'string') return workspaceId;
  const recordId = recordIdOf(data, stream.Keys, config.idAttribute);
  if (recordId === undefined) {
    return failure(
      'no-id',
      `record has no "${config.idAttribute}" attribute and no single string or number key`,
    );
  }
  const timestamp = timestampOf(stream.ApproximateCreationDateTime, now);
  if (timestamp === undefined) {
    return failure('unsupported', 'stream record has an invalid ApproximateCreationDateTime');
  }

  const event: CrmEvent = {
    eventId: eventIdFor(table.tableName, record.eventID),
    name: `${object}.${action}`,
    object,
    action,
    workspaceId,
    recordId,
    timestamp,
    dataJson: attributeMapToJson(data),
  };
  if (recordAfter !== undefined) event.recordAfterJson = attributeMapToJson(recordAfter);
  if (updatedFields !== undefined) event.updatedFields = updatedFields;
  // Who made the change, read from the record as it is after it (before it, for removals).
  const actorImage = newImage ?? oldImage ?? data;
  const userId = attributeText(actorImage, attributes.userIdAttribute);
  if (userId !== undefined) event.userId = userId;
  const workspaceMemberId = attributeText(actorImage, attributes.workspaceMemberIdAttribute);
  if (workspaceMemberId !== undefined) event.workspaceMemberId = workspaceMemberId;
  const objects = config.objects;
  const objectMetadataId =
    objects !== undefined && Object.hasOwn(objects, object) ? objects[object]?.objectMetadataId : undefined;
  if (objectMetadataId !== undefined) event.objectMetadataId = objectMetadataId;
  return { kind: 'event', event };
}

function failure(reason: MapErrorReason, message: string): MapResult {
  return { kind: 'error', reason, message };
}

function missingImage(eventName: string, image: string): MapResult {
  return failure(
    'no-image',
    `${eventName} record has no ${image}: the table's stream must use the NEW_AND_OLD_IMAGES view type`,
  );
}

/** A soft-delete marker counts as set unless it is absent or NULL. */
function isSet(value: AttributeValue | undefined): boolean {
  return value !== undefined && value.NULL === undefined;
}

/** Top-level attributes added, removed or changed (deep comparison), sorted by name. */
function changedFields(oldImage: Item, newImage: Item): string[] {
  const changed: string[] = [];
  for (const name of Object.keys(newImage)) {
    if (!attributeValuesEqual(oldImage[name], newImage[name])) changed.push(name);
  }
  for (const name of Object.keys(oldImage)) {
    if (!Object.hasOwn(newImage, name) && oldImage[name] !== undefined) changed.push(name);
  }
  return changed.sort();
}

function objectOf(item: Item, table: CrmTableConfig): string | MapResult {
  if (table.object !== undefined) return table.object;
  const attribute = table.objectAttribute ?? '';
  const value = item[attribute]?.S;
  if (value === undefined) {
    return failure('no-object', `record has no string attribute "${attribute}" naming its object`);
  }
  if (!OBJECT_NAME.test(value)) {
    return failure('no-object', `attribute "${attribute}" must be a camelCase object name such as "person"`);
  }
  return value;
}

function workspaceOf(item: Item, config: CrmSourcesConfig): string | MapResult {
  const value = item[config.workspaceIdAttribute];
  if (value === undefined) {
    return (
      config.defaultWorkspaceId ??
      failure(
        'no-default-workspace',
        `record has no "${config.workspaceIdAttribute}" attribute and the config sets no defaultWorkspaceId`,
      )
    );
  }
  // A present but unusable workspace must not fall back to the default: that would leak the
  // record to another tenant's webhooks.
  if (value.S === undefined || value.S === '') {
    return failure('no-workspace', `attribute "${config.workspaceIdAttribute}" must be a non-empty string`);
  }
  return value.S;
}

function recordIdOf(item: Item, keys: Item | undefined, idAttribute: string): string | undefined {
  const own = scalarText(item[idAttribute]) ?? scalarText(keys?.[idAttribute]);
  if (own !== undefined) return own;
  const keyValues = Object.values(keys ?? {});
  return keyValues.length === 1 ? scalarText(keyValues[0]) : undefined;
}

function attributeText(item: Item, attribute: string | undefined): string | undefined {
  return attribute === undefined ? undefined : scalarText(item[attribute]);
}

function scalarText(value: AttributeValue | undefined): string | undefined {
  if (value?.S !== undefined && value.S !== '') return value.S;
  if (value?.N !== undefined) return value.N;
  return undefined;
}

/**
 * Lambda gives ApproximateCreationDateTime in (possibly fractional) epoch seconds; the SDK's
 * DynamoDB Streams client gives a Date. Both become ISO 8601 UTC with milliseconds.
 */
function timestampOf(value: unknown, now: () => Date): string | undefined {
  // Records of one batch mostly share their (whole-second) creation time: format each value once.
  if (typeof value === 'number' && value === lastTimestamp.seconds) return lastTimestamp.iso;
  const iso = formatTimestamp(value, now);
  if (typeof value === 'number' && iso !== undefined) {
    lastTimestamp.seconds = value;
    lastTimestamp.iso = iso;
  }
  return iso;
}

const lastTimestamp: { seconds: number; iso: string } = { seconds: Number.NaN, iso: '' };

function formatTimestamp(value: unknown, now: () => Date): string | undefined {
  const date =
    value === undefined || value === null
      ? now()
      : value instanceof Date
        ? value
        : typeof value === 'number'
          ? new Date(Math.round(value * 1000))
          : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) return undefined;
  return date.toISOString();
}
