import { spawn, spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStandardWebhooksReceiver } from '../../../examples/verify-standard-webhooks';
import { createTwentyReceiver, isValidTwentySignature } from '../../../examples/verify-twenty-signature';
import { freePort } from '../../../infra/local/emulators/freePort';
import { decodeDeliveryJob, encodeDeliveryJobs } from '../../../shared/domain/delivery/deliveryJob';
import type { CrmEvent } from '../../../shared/domain/events/crmEvent';
import { serializePayload } from '../../../shared/domain/payload/serializePayload';
import { buildSignatureHeaders, generateWebhookSecret } from '../../../shared/domain/signing';

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
    const rejections: string[] = [];
    const url = await listen(
      createTwentyReceiver({
        secret,
        onEvent: (p) => void received.push(p),
        onReject: (reason) => void rejections.push(reason),
      }),
    );
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
    // Every rejection is reported with its reason, and no reason carries the secret.
    expect(rejections).toEqual([
      expect.stringMatching(/signature does not match/),
      expect.stringMatching(/signature does not match/),
      expect.stringMatching(/-?\d+ s off this server's clock/),
      expect.stringMatching(/missing X-Twenty-Webhook-Timestamp/),
      expect.stringMatching(/signature does not match/),
    ]);
    for (const reason of rejections) expect(reason).not.toContain(secret);
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
    const rejections: string[] = [];
    const url = await listen(
      createStandardWebhooksReceiver({
        secrets: [previous],
        onEvent: (_p, id) => void received.push(id),
        onReject: (reason) => void rejections.push(reason),
      }),
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
    expect((await post(url, body, {})).status).toBe(401);
    expect(rejections).toEqual([
      'No matching signature found',
      'No matching signature found',
      'Missing required headers',
    ]);
  });
});

/** Runs an example exactly as the README shows it and waits for a line matching `pattern` on its output. */
async function runExample(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 200 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output).toMatch(pattern);
  };
  return { waitFor, stop: () => child.kill(), output: () => output };
}

describe('the example receivers run as documented', () => {
  for (const file of ['examples/verify-twenty-signature.ts', 'examples/verify-standard-webhooks.ts']) {
    it(`${file} logs the event name of both payload formats and the reason of a rejection`, async () => {
      const secret = generateWebhookSecret();
      const port = String(await freePort());
      const example = await runExample(file, { WEBHOOK_SECRET: secret, PORT: port });
      try {
        await example.waitFor(/listening on/);
        const url = `http://127.0.0.1:${port}/`;
        for (const payloadFormat of ['default', 'twenty'] as const) {
          const body = serializePayload(job, { payloadFormat, targetUrl: url });
          const headers = buildSignatureHeaders({
            secrets: [secret],
            deliveryId: `msg_${payloadFormat}`,
            body,
            now: new Date(),
          });
          expect((await post(url, body, headers)).status).toBe(204);
        }
        await example.waitFor(/verified webhook .*person\.created[\s\S]*verified webhook .*person\.created/);
        expect(example.output()).not.toContain('undefined');
        expect((await post(url, '{}', {})).status).toBe(401);
        await example.waitFor(/rejected webhook request: \S/);
        expect(example.output()).not.toContain(secret);
      } finally {
        example.stop();
      }
    });
  }
});

describe('the example receivers without a secret', () => {
  it('exit with one clear line and no stack trace', () => {
    for (const file of ['examples/verify-twenty-signature.ts', 'examples/verify-standard-webhooks.ts']) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
        env: { ...process.env, WEBHOOK_SECRET: '' },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(/^Set WEBHOOK_SECRET/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
