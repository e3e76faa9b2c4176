import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * Builders for DynamoDB stream records in the shape Lambda delivers them (binary as base64 text),
 * with images built by the SDK's own `marshall` from plain objects.
 */

export type LambdaImage = Record<string, AttributeValue>;

/** Plain object (NumberValueImpl for exact numbers, Set for sets, Uint8Array for binary) → Lambda image. */
export function lambdaImage(item: Record<string, unknown>): LambdaImage {
  return toLambdaShape(marshall(item, { convertClassInstanceToMap: false })) as LambdaImage;
}

function toLambdaShape(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toLambdaShape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toLambdaShape(v)]));
  }
  return value;
}

const ACCOUNT = '123456789012';
const STREAM_LABEL = '2026-11-27T13:00:00.000';

export function streamArn(tableName: string, region = 'us-east-1'): string {
  return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${tableName}/stream/${STREAM_LABEL}`;
}

/** `userIdentity` of a record removed by DynamoDB TTL. */
const TTL_USER_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

let sequence = 0;

export interface StreamRecordOptions {
  tableName?: string;
  eventId?: string;
  /** Epoch seconds; Lambda gives whole seconds, the API may give fractions. */
  approximateCreationDateTime?: number;
  keys?: LambdaImage;
  streamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** Marks the record as a TTL expiry (REMOVE by the DynamoDB service principal). */
  ttl?: boolean;
}

type Image = Record<string, unknown> | LambdaImage;

function asImage(image: Image | undefined, raw: boolean): LambdaImage | undefined {
  if (image === undefined) return undefined;
  return raw ? (image as LambdaImage) : lambdaImage(image as Record<string, unknown>);
}

/**
 * A stream record. Images are plain objects (marshalled here) unless `raw` is set, in which case
 * they are already DynamoDB attribute maps. The stream view type drops images the way DynamoDB does.
 */
function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { newImage?: Image; oldImage?: Image; raw?: boolean },
  options: StreamRecordOptions = {},
): DynamoDBRecord {
  sequence += 1;
  const tableName = options.tableName ?? 'person';
  const view = options.streamViewType ?? 'NEW_AND_OLD_IMAGES';
  const raw = images.raw ?? false;
  const newImage =
    view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES' ? asImage(images.newImage, raw) : undefined;
  const oldImage =
    view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES' ? asImage(images.oldImage, raw) : undefined;
  const source = asImage(images.newImage ?? images.oldImage, raw) ?? {};
  const keys = options.keys ?? (source.id === undefined ? {} : { id: source.id });
  return {
    eventID: options.eventId ?? `${sequence.toString(16).padStart(32, '0')}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: options.approximateCreationDateTime ?? 1_764_248_400,
      Keys: keys,
      ...(newImage === undefined ? {} : { NewImage: newImage }),
      ...(oldImage === undefined ? {} : { OldImage: oldImage }),
      SequenceNumber: `${1000 + sequence}`,
      SizeBytes: 100,
      StreamViewType: view,
    },
    eventSourceARN: streamArn(tableName),
    ...(options.ttl ? { userIdentity: TTL_USER_IDENTITY } : {}),
  };
}

export const insertRecord = (item: Image, options?: StreamRecordOptions & { raw?: boolean }) =>
  streamRecord('INSERT', { newImage: item, raw: options?.raw }, options);

export const modifyRecord = (
  oldItem: Image,
  newItem: Image,
  options?: StreamRecordOptions & { raw?: boolean },
) => streamRecord('MODIFY', { oldImage: oldItem, newImage: newItem, raw: options?.raw }, options);

export const removeRecord = (oldItem: Image, options?: StreamRecordOptions & { raw?: boolean }) =>
  streamRecord('REMOVE', { oldImage: oldItem, raw: options?.raw }, options);
