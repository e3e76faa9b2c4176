import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStandardWebhooksReceiver } from '../../../../examples/verify-standard-webhooks';
import { createTwentyReceiver, isValidTwentySignature } from '../../../../examples/verify-twenty-signature';
import { decodeDeliveryJob, encodeDeliveryJobs } from '../../../../shared/domain/delivery/deliveryJob';
import type { CrmEvent } from '../../../../shared/domain/events/crmEvent';
import { serializePayload } from '../../../../shared/domain/payload/serializePayload';
import { buildSignatureHeaders, generateWebhookSecret } from '../../../../shared/domain/signing';

const event: CrmEvent = {
  eventId: 'evt_1',
  name: 'person.created',
  object: 'person',
  action: 'created',
  workspaceId: 'ws-1',
  recordId: 'p-1',
  timestamp: '2025-02-10T15:30:50.000Z',
  dataJson: '{"id":"p-1","firstName":"Zoë","score":12345678901234567890}',
};
const [encoded] = encodeDeliveryJobs(event, ['wh-1']);
const decoded = decodeDeliveryJob(encoded!.body);
if (!decoded.ok) throw new Error(decoded.error);
const job = decoded.job;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(s: Server): Promise<string> {
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

function post(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('examples/verify-twenty-signature.ts', () => {
  it('accepts signed deliveries in both payload formats and rejects tampered, stale or unsigned ones', async () => {
    const secret = generateWebhookSecret();
    const received: unknown[] = [];
    const url = await listen(createTwentyReceiver({ secret, onEvent: (p) => void received.push(p) }));
    for (const payloadFormat of ['default', 'twenty'] as const) {
      const body = serializePayload(job, { payloadFormat, targetUrl: url });
      const headers = buildSignatureHeaders({
        secrets: [secret],
        deliveryId: job.deliveryId,
        body,
        now: new Date(),
      });
      expect((await post(url, body, headers)).status).toBe(204);
      expect((await post(url, body.replace('Zoë', 'Zoe'), headers)).status).toBe(401);
    }
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({ event: 'person.created', data: { firstName: 'Zoë' } });
    expect(received[1]).toMatchObject({ eventName: 'person.created', record: { id: 'p-1' } });

    const body = serializePayload(job, { payloadFormat: 'default', targetUrl: url });
    const stale = buildSignatureHeaders({
      secrets: [secret],
      deliveryId: 'm',
      body,
      now: new Date(Date.now() - 600_000),
    });
    expect((await post(url, body, stale)).status).toBe(401);
    expect((await post(url, body, {})).status).toBe(401);
    const otherSecret = buildSignatureHeaders({
      secrets: [generateWebhookSecret()],
      deliveryId: 'm',
      body,
      now: new Date(),
    });
    expect((await post(url, body, otherSecret)).status).toBe(401);
    expect(received).toHaveLength(2);
  });

  it('shows why the raw body matters: a re-stringified body does not verify', () => {
    const secret = generateWebhookSecret();
    const body = serializePayload(job, { payloadFormat: 'default', targetUrl: '' });
    const headers = buildSignatureHeaders({ secrets: [secret], deliveryId: 'm', body, now: new Date() });
    const ts = headers['X-Twenty-Webhook-Timestamp'];
    const sig = headers['X-Twenty-Webhook-Signature'];
    expect(isValidTwentySignature(secret, Buffer.from(body), ts, sig)).toBe(true);
    // JSON.parse loses the digits of 12345678901234567890, so re-serializing changes the bytes.
    expect(isValidTwentySignature(secret, Buffer.from(JSON.stringify(JSON.parse(body))), ts, sig)).toBe(
      false,
    );
    expect(isValidTwentySignature(secret, Buffer.from(JSON.stringify(body)), ts, sig)).toBe(false);
  });
});

describe('examples/verify-standard-webhooks.ts', () => {
  it('accepts deliveries signed with the current or the previous secret, once per webhook-id', async () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const received: string[] = [];
    const url = await listen(
      createStandardWebhooksReceiver({ secrets: [previous], onEvent: (_p, id) => void received.push(id) }),
    );
    const body = serializePayload(job, { payloadFormat: 'default', targetUrl: url });
    // The sender is mid-rotation: it signs with both secrets; the receiver still only knows the previous one.
    const headers = buildSignatureHeaders({
      secrets: [current, previous],
      deliveryId: job.deliveryId,
      body,
      now: new Date(),
    });
    expect((await post(url, body, headers)).status).toBe(204);
    expect((await post(url, body, headers)).status).toBe(204); // a retry: acknowledged, not processed twice
    expect(received).toEqual([job.deliveryId]);
    expect((await post(url, `${body}\n`, headers)).status).toBe(401);
    const onlyNew = buildSignatureHeaders({ secrets: [current], deliveryId: 'msg_x', body, now: new Date() });
    expect((await post(url, body, onlyNew)).status).toBe(401);
  });
});
