/** A DynamoDB Streams API record as the record Lambda's event source mapping delivers. */

import type {
  AttributeValue as SdkAttributeValue,
  _Record as SdkStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';

/**
 * A record read with the DynamoDB Streams API (GetRecords) → the record Lambda's event source mapping
 * delivers: `eventSourceARN` set to the stream ARN, binary values as base64 text and
 * `ApproximateCreationDateTime` in epoch seconds, as on AWS. Pure, so the local stream poller and the
 * tests share it.
 */
export function streamRecordToLambda(record: SdkStreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {};
  if (stream.ApproximateCreationDateTime !== undefined) {
    dynamodb.ApproximateCreationDateTime = Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000);
  }
  if (stream.Keys !== undefined) dynamodb.Keys = itemToLambda(stream.Keys);
  if (stream.NewImage !== undefined) dynamodb.NewImage = itemToLambda(stream.NewImage);
  if (stream.OldImage !== undefined) dynamodb.OldImage = itemToLambda(stream.OldImage);
  if (stream.SequenceNumber !== undefined) dynamodb.SequenceNumber = stream.SequenceNumber;
  if (stream.SizeBytes !== undefined) dynamodb.SizeBytes = stream.SizeBytes;
  if (stream.StreamViewType !== undefined) dynamodb.StreamViewType = stream.StreamViewType;

  const lambdaRecord: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion ?? regionOfArn(streamArn),
    dynamodb,
    eventSourceARN: streamArn,
  };
  if (record.userIdentity !== undefined) {
    lambdaRecord.userIdentity = {
      type: record.userIdentity.Type,
      principalId: record.userIdentity.PrincipalId,
    };
  }
  return lambdaRecord;
}

/** A batch of SDK stream records → the event Lambda passes to the handler. */
export function streamRecordsToLambdaEvent(
  records: readonly SdkStreamRecord[],
  streamArn: string,
): DynamoDBStreamEvent {
  return { Records: records.map((record) => streamRecordToLambda(record, streamArn)) };
}

function itemToLambda(item: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(item)) out[name] = attributeValueToLambda(value);
  return out;
}

function attributeValueToLambda(value: SdkAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: itemToLambda(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attributeValueToLambda) };
  throw new Error(`unsupported stream attribute value with type ${Object.keys(value).join(',') || '(none)'}`);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}
