import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DeliveryJob,
  decodeDeliveryJob,
  encodeDeliveryJobs,
} from '../../../../../shared/domain/delivery/deliveryJob';
import type { CrmEvent } from '../../../../../shared/domain/events/crmEvent';
import { objectMetadataIdFor } from '../../../../../shared/domain/payload/objectMetadataId';
import {
  serializeDefaultPayload,
  serializePayload,
  serializeTwentyPayload,
} from '../../../../../shared/domain/payload/serializePayload';
import { signTwentyV1 } from '../../../../../shared/domain/signing';

const event: CrmEvent = {
  eventId: 'evt_1',
  name: 'person.updated',
  object: 'person',
  action: 'updated',
  workspaceId: 'ws-1',
  recordId: 'p-1',
  timestamp: '2025-02-10T15:30:50.000Z',
  dataJson:
    '{"id":"p-1","lastName":"Jones","big":12345678901234567890,"p":0.1000000000000000055511151231257827}',
  updatedFields: ['lastName'],
};

function jobFor(e: CrmEvent, webhookId = 'wh-1'): DeliveryJob {
  const [encoded] = encodeDeliveryJobs(e, [webhookId]);
  const decoded = decodeDeliveryJob(encoded!.body);
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.job;
}

describe('serializeDefaultPayload', () => {
  it('writes the documented keys in order and splices the record text unchanged', () => {
    const job = jobFor(event);
    expect(serializeDefaultPayload(job)).toBe(
      '{"event":"person.updated",' +
        '"data":{"id":"p-1","lastName":"Jones","big":12345678901234567890,"p":0.1000000000000000055511151231257827},' +
        '"timestamp":"2025-02-10T15:30:50.000Z","eventId":"evt_1","webhookId":"wh-1","workspaceId":"ws-1",' +
        '"objectMetadata":{"nameSingular":"person"},"updatedFields":["lastName"]}',
    );
  });

  it('omits updatedFields for events without them', () => {
    const { updatedFields: _u, ...created } = event;
    const body = serializeDefaultPayload(jobFor({ ...created, name: 'person.created', action: 'created' }));
    expect(Object.keys(JSON.parse(body))).toEqual([
      'event',
      'data',
      'timestamp',
      'eventId',
      'webhookId',
      'workspaceId',
      'objectMetadata',
    ]);
  });

  it('is valid JSON whatever the strings contain', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (object, webhookId) => {
        const job = { ...jobFor(event), object, webhookId: webhookId || 'x' };
        const parsed = JSON.parse(serializeDefaultPayload(job));
        expect(parsed.objectMetadata.nameSingular).toBe(object);
        expect(parsed.webhookId).toBe(job.webhookId);
      }),
    );
  });
});

describe('serializeTwentyPayload', () => {
  it("matches, byte for byte, the body Twenty's own sender builds with JSON.stringify", () => {
    const safe: CrmEvent = {
      ...event,
      dataJson: '{"id":"p-1","lastName":"Jones","n":1.5,"tags":["a"],"x":null}',
    };
    const job = jobFor(safe);
    // What Twenty's CallWebhookJobsJob builds and CallWebhookJob posts: axios sends JSON.stringify of this
    // object. (test/unit/shared/domain/payload/serializePayload.twentyFidelity.test.ts compares with the full re-typed sender.)
    const twentyJobData = {
      targetUrl: 'https://example.com/hook',
      eventName: 'person.updated',
      objectMetadata: { id: objectMetadataIdFor('ws-1', 'person'), nameSingular: 'person' },
      workspaceId: 'ws-1',
      webhookId: 'wh-1',
      eventDate: new Date('2025-02-10T15:30:50.000Z'),
      record: JSON.parse(safe.dataJson),
      ...(safe.updatedFields && { updatedFields: safe.updatedFields }),
    };
    const body = serializeTwentyPayload(job, 'https://example.com/hook');
    expect(body).toBe(JSON.stringify(twentyJobData));
    // Twenty's generateSignature signs `${timestamp}:${JSON.stringify(payload)}`: the same bytes.
    const twentySignature = createHmac('sha256', 'secret')
      .update(`1700000000000:${JSON.stringify(twentyJobData)}`)
      .digest('hex');
    expect(signTwentyV1({ secret: 'secret', timestampMs: 1_700_000_000_000, body })).toBe(twentySignature);
  });

  it('writes the numbers of record as JavaScript does, unlike the default format', () => {
    const body = serializeTwentyPayload(jobFor(event), 'https://example.com/hook');
    expect(body).toContain('"record":{"id":"p-1","lastName":"Jones","big":12345678901234567000,"p":0.1}');
    expect(body.endsWith(',"updatedFields":["lastName"]}')).toBe(true);
    expect(JSON.stringify(JSON.parse(body))).toBe(body);
  });

  it('uses the configured objectMetadataId and the actor ids the job carries', () => {
    const body = serializeTwentyPayload(
      jobFor({
        ...event,
        objectMetadataId: '20202020-e674-48e5-a542-72570eee7213',
        userId: 'u-1',
        workspaceMemberId: 'm-1',
      }),
      'https://example.com/hook',
    );
    expect(body).toContain(
      '"objectMetadata":{"id":"20202020-e674-48e5-a542-72570eee7213","nameSingular":"person"},"workspaceId":"ws-1","webhookId":"wh-1","eventDate":"2025-02-10T15:30:50.000Z","userId":"u-1","workspaceMemberId":"m-1","record":',
    );
  });
});

describe('serializePayload', () => {
  it('picks the format of the webhook', () => {
    const job = jobFor(event);
    expect(serializePayload(job, { payloadFormat: 'default', targetUrl: 'https://a.example' })).toBe(
      serializeDefaultPayload(job),
    );
    expect(serializePayload(job, { payloadFormat: 'twenty', targetUrl: 'https://a.example' })).toBe(
      serializeTwentyPayload(job, 'https://a.example'),
    );
  });
});
