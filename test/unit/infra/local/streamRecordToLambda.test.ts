import type { _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import {
  streamRecordsToLambdaEvent,
  streamRecordToLambda,
} from '../../../../infra/local/streamRecordToLambda';
import { streamArn } from '../../../helpers/streamRecordFactories';

const arn = streamArn('person', 'eu-west-1');

/** A record as the SDK's DynamoDB Streams client returns it from GetRecords. */
function sdkRecord(overrides: Partial<SdkStreamRecord> = {}): SdkStreamRecord {
  return {
    eventID: 'e-1',
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-11-27T13:04:59.750Z'),
      Keys: { id: { S: 'p-1' } },
      NewImage: {
        id: { S: 'p-1' },
        photo: { B: new Uint8Array([0xff, 0x00, 0x10]) },
        nested: { M: { files: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] }, n: { N: '1.50' } } },
        list: { L: [{ NULL: true }, { BOOL: false }, { SS: ['a'] }, { NS: ['1', '2'] }] },
      },
      OldImage: { id: { S: 'p-1' } },
      SequenceNumber: '000000000000000000042',
      SizeBytes: 77,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...overrides,
  };
}

describe('streamRecordToLambda', () => {
  it('gives the record the shape Lambda delivers: source ARN, base64 binary, epoch-second timestamp', () => {
    expect(streamRecordToLambda(sdkRecord(), arn)).toEqual({
      eventID: 'e-1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: arn,
      dynamodb: {
        ApproximateCreationDateTime: 1_795_784_699,
        Keys: { id: { S: 'p-1' } },
        NewImage: {
          id: { S: 'p-1' },
          photo: { B: '/wAQ' },
          nested: { M: { files: { BS: ['AQ==', 'AgM='] }, n: { N: '1.50' } } },
          list: { L: [{ NULL: true }, { BOOL: false }, { SS: ['a'] }, { NS: ['1', '2'] }] },
        },
        OldImage: { id: { S: 'p-1' } },
        SequenceNumber: '000000000000000000042',
        SizeBytes: 77,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('keeps the TTL service identity of expired items and fills defaults Lambda always sets', () => {
    const record = streamRecordToLambda(
      sdkRecord({
        eventName: 'REMOVE',
        eventVersion: undefined,
        eventSource: undefined,
        awsRegion: undefined,
        userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
      }),
      arn,
    );
    expect(record).toMatchObject({
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
  });

  it('wraps a batch in the event Lambda passes to the handler, in stream order', () => {
    const event = streamRecordsToLambdaEvent([sdkRecord({ eventID: 'a' }), sdkRecord({ eventID: 'b' })], arn);
    expect(event.Records.map((r) => [r.eventID, r.eventSourceARN])).toEqual([
      ['a', arn],
      ['b', arn],
    ]);
  });
});
