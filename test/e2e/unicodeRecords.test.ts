import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializePayload } from '../../shared/domain/payload/serializePayload';
import {
  type ReceivedRequest,
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { type ReliabilityRuntime, startReliabilityRuntime } from '../reliability/reliabilityRuntime';

/**
 * CRM records with emoji, CJK extension and other astral characters, control characters and NUL inside
 * strings, end to end on the local runtime: DynamoDB Local's stream → event mapper → SendMessageBatch
 * through the SQS rules guard (fauxqs patched to accept what SQS accepts) → delivery → receivers. Every
 * webhook gets every event, signature-verified, with a body byte for byte what the serializer makes of the
 * record as written, which is what AWS delivers: SQS keeps a message body exactly as sent
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 */
const ASTRAL = { clef: '𝄞', fox: '🦊', cjkB: '𠜎' };
const STRINGS: Record<string, string> = {
  firstName: `Ada ${ASTRAL.clef}`,
  lastName: `Doe ${ASTRAL.fox}`,
  city: `${ASTRAL.cjkB}市 東京 서울`,
  family: '👨‍👩‍👧‍👦 and 🏳️‍🌈 (ZWJ sequences), 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, 🀄',
  controls: 'tab\there, newline\nthere, cr\rthere, bell\u0007, escape\u001b, unit\u001f, del\u007f',
  nul: 'before\u0000after',
  edges:
    '\uE000 private use, \uFFFD replacement, \u2028 line separator, \u2029 paragraph, "quotes" \\ backslash',
};

const personItem = (id: string): Record<string, AttributeValue> => ({
  id: { S: id },
  ...Object.fromEntries(Object.entries(STRINGS).map(([k, v]) => [k, { S: v }])),
  tags: { L: [{ S: ASTRAL.fox }, { S: `nul\u0000${ASTRAL.clef}` }] },
  address: { M: { [`street ${ASTRAL.cjkB}`]: { S: `${ASTRAL.clef} Road\u0000` } } },
  aliases: { SS: [ASTRAL.fox, ASTRAL.cjkB, 'plain'] },
});

interface Payload {
  event?: string;
  eventName?: string;
  data?: Record<string, unknown>;
  record?: Record<string, unknown>;
  timestamp?: string;
  eventDate?: string;
  eventId?: string;
  webhookId: string;
  workspaceId: string;
  objectMetadata: { id?: string; nameSingular: string };
  updatedFields?: string[];
}

describe('CRM records with astral, CJK and control characters reach every webhook intact', () => {
  let rt: ReliabilityRuntime;
  const hooks: {
    id: string;
    secret: string;
    format: 'default' | 'twenty';
    targetUrl: string;
    receiver: SignatureVerifyingReceiver;
  }[] = [];

  beforeAll(async () => {
    rt = await startReliabilityRuntime({ deliveryPollers: 2 });
    for (const format of ['default', 'twenty'] as const) {
      const receiver = await startSignatureVerifyingReceiver();
      const targetUrl = `${receiver.url}/hook-${format}`;
      const created = await rt.api<{ id: string; secret: string }>('POST', '/webhooks', {
        targetUrl,
        operations: ['person.*'],
        ...(format === 'twenty' ? { payloadFormat: 'twenty' } : {}),
      });
      expect(created.status, created.text).toBe(201);
      receiver.setSecrets([created.body.secret]);
      hooks.push({ id: created.body.id, secret: created.body.secret, format, targetUrl, receiver });
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(hooks.map((h) => h.receiver.stop()));
    await rt?.stop();
  }, 30_000);

  /** The body the serializer makes of this request's own event and the record's values: what AWS sends. */
  function expectedBody(request: ReceivedRequest, hook: (typeof hooks)[number]): string {
    const p = JSON.parse(request.body) as Payload;
    return serializePayload(
      {
        event: (p.event ?? p.eventName)!,
        dataJson: JSON.stringify(p.data ?? p.record),
        timestamp: (p.timestamp ?? p.eventDate)!,
        eventId: p.eventId ?? '',
        webhookId: p.webhookId,
        workspaceId: p.workspaceId,
        object: p.objectMetadata.nameSingular,
        ...(p.objectMetadata.id ? { objectMetadataId: p.objectMetadata.id } : {}),
        ...(p.updatedFields ? { updatedFields: p.updatedFields } : {}),
      } as Parameters<typeof serializePayload>[0],
      { payloadFormat: hook.format, targetUrl: hook.targetUrl },
    );
  }

  it('created, updated and destroyed events carry the exact strings, signed over the exact bytes', async () => {
    const item = personItem('unicode-1');
    await rt.dynamo.send(new PutItemCommand({ TableName: 'person', Item: item }));
    await rt.dynamo.send(
      new UpdateItemCommand({
        TableName: 'person',
        Key: { id: { S: 'unicode-1' } },
        UpdateExpression: 'SET lastName = :l',
        ExpressionAttributeValues: { ':l': { S: `Doe ${ASTRAL.fox}${ASTRAL.cjkB}\u0000!` } },
      }),
    );
    await rt.dynamo.send(new DeleteItemCommand({ TableName: 'person', Key: { id: { S: 'unicode-1' } } }));

    const written = unmarshall(item, { wrapNumbers: true }) as Record<string, unknown>;
    const aliases = [...(written.aliases as Set<string>)].sort();
    const updated = { ...written, lastName: `Doe ${ASTRAL.fox}${ASTRAL.cjkB}\u0000!` };

    for (const hook of hooks) {
      const requests = await hook.receiver.waitForRequests(3, 60_000);
      const byEvent = new Map(
        requests.map((r) => {
          const p = JSON.parse(r.body) as Payload;
          return [p.event ?? p.eventName, { request: r, payload: p }];
        }),
      );
      // The default sources have a soft-delete attribute, so removing the item is `destroyed` (as in Twenty).
      expect([...byEvent.keys()].sort()).toEqual(['person.created', 'person.destroyed', 'person.updated']);
      const record = (e: string) => {
        const p = byEvent.get(e)!.payload;
        const data = (p.data ?? p.record)!;
        return { ...data, aliases: [...(data.aliases as string[])].sort() };
      };
      // A string set arrives as an array, in no promised order.
      const sorted = (r: Record<string, unknown>) => ({ ...r, aliases });
      expect(record('person.created')).toEqual(sorted(written));
      expect(record('person.updated')).toEqual(sorted(updated));
      expect(byEvent.get('person.updated')!.payload.updatedFields).toEqual(['lastName']);
      expect(record('person.destroyed')).toEqual(sorted(updated));

      for (const { request } of byEvent.values()) {
        // Both signature schemes, by the receiver's verifiers and the Standard Webhooks library.
        expect(request.verified).toBe(true);
        expect(() =>
          new StandardWebhook(hook.secret).verify(request.body, {
            'webhook-id': String(request.headers['webhook-id']),
            'webhook-timestamp': String(request.headers['webhook-timestamp']),
            'webhook-signature': String(request.headers['webhook-signature']),
          }),
        ).not.toThrow();
        const bytes = Buffer.from(request.body, 'utf8');
        expect(bytes.equals(Buffer.from(expectedBody(request, hook), 'utf8'))).toBe(true);
        // Astral characters travel as their 4-byte UTF-8 sequences, NUL and controls as JSON escapes.
        for (const character of Object.values(ASTRAL))
          expect(bytes.includes(Buffer.from(character))).toBe(true);
        expect(request.body).toContain('before\\u0000after');
        expect([...bytes].some((byte) => byte < 0x20)).toBe(false); // JSON escapes every control character
      }
    }
  }, 90_000);

  it('nothing was refused on the way: no SQS rule violation, no mapper failure, no dead letter', async () => {
    expect(rt.runtime.sqsGuard.violations).toEqual([]);
    const counts = async (queueUrl: string) => {
      const { Attributes = {} } = await rt.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible)
      );
    };
    expect(await counts(rt.runtime.queues.mapperFailureQueueUrl)).toBe(0);
    expect(await counts(rt.runtime.queues.deadLetterQueueUrl)).toBe(0);
    expect(rt.pollErrors).toEqual([]);
  });
});
