import type { LookupAddress } from 'node:dns';
import { createServer, type Server, type Socket } from 'node:net';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeliveryHandler } from '../../functions/delivery/buildDeliveryHandler';
import { loadDeliveryConfig } from '../../functions/delivery/config';
import { logger, metrics } from '../../functions/delivery/observability';
import { sqsJobQueues } from '../../functions/delivery/sqsJobQueues';
import { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLimiterStore } from '../../shared/adapters/dynamodb/deliveryLimiterStore';
import {
  createWebhookHttpClient,
  type WebhookHttpClient,
} from '../../shared/adapters/http/webhookHttpClient';
import { createSigningSecretsReader } from '../../shared/adapters/secrets/createSigningSecrets';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { pollOnce } from '../helpers/sqsEvents';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from '../integration/subscriptionsApi/apiHarness';
import { printFigures } from './deliveryLedger';

/**
 * A plain TCP listener standing in for a private service (metadata endpoint, admin port). Every
 * connect-time case targets its port, so a guard that let anything through would show up here.
 */
interface PrivateListener {
  port: number;
  connections: number;
  bytes: number;
  close(): Promise<void>;
}

async function startPrivateListener(host: string, port = 0): Promise<PrivateListener | undefined> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, bytes: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      state.bytes += chunk.length;
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    });
    socket.on('close', () => sockets.delete(socket));
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (!listening) return undefined;
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return state.connections;
    },
    get bytes() {
      return state.bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

/** Target URLs the API must refuse at creation (and on PATCH): decidable from the URL alone. */
const REFUSED_AT_CREATION: [string, string][] = [
  ['loopback', 'https://127.0.0.1/hook'],
  ['loopback, other address', 'https://127.8.9.10/hook'],
  ['loopback, short form', 'https://127.1/hook'],
  ['loopback, decimal', 'https://2130706433/hook'],
  ['loopback, hex', 'https://0x7f000001/hook'],
  ['loopback, dotted hex', 'https://0x7f.0x0.0x0.0x1/hook'],
  ['loopback, octal', 'https://0177.0.0.1/hook'],
  ['IPv6 loopback', 'https://[::1]/hook'],
  ['IPv6 loopback, long form', 'https://[0:0:0:0:0:0:0:1]/hook'],
  ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook'],
  ['IPv4-mapped loopback, hex', 'https://[::ffff:7f00:1]/hook'],
  ['localhost', 'https://localhost/hook'],
  ['localhost, upper case', 'https://LOCALHOST/hook'],
  ['localhost, trailing dot', 'https://localhost./hook'],
  ['subdomain of localhost', 'https://api.localhost/hook'],
  ['ip6-localhost', 'https://ip6-localhost/hook'],
  ['RFC 1918 10/8', 'https://10.0.0.1/hook'],
  ['RFC 1918 172.16/12', 'https://172.16.0.1/hook'],
  ['RFC 1918 172.16/12, top', 'https://172.31.255.254/hook'],
  ['RFC 1918 192.168/16', 'https://192.168.1.1/hook'],
  ['RFC 1918, decimal', 'https://167772161/hook'],
  ['CGNAT', 'https://100.64.0.1/hook'],
  ['CGNAT, top', 'https://100.127.255.254/hook'],
  ['link-local', 'https://169.254.1.1/hook'],
  ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
  ['cloud metadata, decimal', 'https://2852039166/latest/meta-data/'],
  ['cloud metadata, hex', 'https://0xa9fea9fe/latest/meta-data/'],
  ['cloud metadata, octal', 'https://0251.0376.0251.0376/latest/meta-data/'],
  ['cloud metadata, IPv4-mapped', 'https://[::ffff:169.254.169.254]/latest/meta-data/'],
  ['cloud metadata, IPv4-mapped hex', 'https://[::ffff:a9fe:a9fe]/latest/meta-data/'],
  ['AWS IPv6 metadata', 'https://[fd00:ec2::254]/latest/meta-data/'],
  ['IPv6 ULA', 'https://[fc00::1]/hook'],
  ['IPv6 ULA fd', 'https://[fdff:ffff::1]/hook'],
  ['IPv6 link-local', 'https://[fe80::1]/hook'],
  ['IPv4-mapped private', 'https://[::ffff:10.0.0.1]/hook'],
  ['IPv4-compatible loopback', 'https://[::127.0.0.1]/hook'],
  ['IPv4-compatible loopback, hex', 'https://[::7f00:1]/hook'],
  ['IPv4-compatible loopback, long form', 'https://[0:0:0:0:0:0:127.0.0.1]/hook'],
  ['cloud metadata, IPv4-compatible', 'https://[::169.254.169.254]/latest/meta-data/'],
  ['cloud metadata, IPv4-compatible hex', 'https://[::a9fe:a9fe]/latest/meta-data/'],
  ['IPv4-compatible private', 'https://[::a00:1]/hook'],
  ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/hook'],
  ['unspecified', 'https://0.0.0.0/hook'],
  ['unspecified, short', 'https://0/hook'],
  ['IPv6 unspecified', 'https://[::]/hook'],
  ['internal name', 'https://metadata.google.internal/computeMetadata/v1/'],
  ['single-label name', 'https://intranet/hook'],
  ['plain http', 'http://example.com/hook'],
  ['credentials in URL', 'https://user:pass@example.com/hook'],
];

interface ConnectCase {
  label: string;
  /** `PORT` is replaced by the private listener's port. */
  url: string;
  /** What the injected DNS answers for the host, when it is a name. */
  dns?: LookupAddress[];
}

/** Stored target URLs (rows from before a policy change, DNS that changed after creation): refused when connecting. */
const REFUSED_AT_CONNECT: ConnectCase[] = [
  { label: 'loopback literal', url: 'http://127.0.0.1:PORT/hook' },
  { label: 'loopback short form', url: 'http://127.1:PORT/hook' },
  { label: 'loopback decimal', url: 'http://2130706433:PORT/hook' },
  { label: 'loopback hex', url: 'http://0x7f000001:PORT/hook' },
  { label: 'loopback octal', url: 'http://0177.0.0.1:PORT/hook' },
  { label: 'IPv6 loopback', url: 'http://[::1]:PORT/hook' },
  { label: 'IPv4-mapped loopback', url: 'http://[::ffff:127.0.0.1]:PORT/hook' },
  { label: 'unspecified 0.0.0.0 (reaches localhost on Linux)', url: 'http://0.0.0.0:PORT/hook' },
  { label: 'localhost', url: 'http://localhost:PORT/hook' },
  { label: 'localhost trailing dot', url: 'http://localhost.:PORT/hook' },
  { label: 'subdomain of localhost', url: 'http://app.localhost:PORT/hook' },
  { label: 'RFC 1918', url: 'http://10.0.0.1:PORT/hook' },
  { label: 'RFC 1918 172.16', url: 'http://172.16.0.1:PORT/hook' },
  { label: 'RFC 1918 192.168', url: 'http://192.168.0.1:PORT/hook' },
  { label: 'CGNAT', url: 'http://100.64.0.1:PORT/hook' },
  { label: 'cloud metadata', url: 'http://169.254.169.254:PORT/latest/meta-data/' },
  { label: 'cloud metadata decimal', url: 'http://2852039166:PORT/latest/meta-data/' },
  { label: 'AWS IPv6 metadata', url: 'http://[fd00:ec2::254]:PORT/' },
  { label: 'IPv6 ULA', url: 'http://[fc00::1]:PORT/hook' },
  { label: 'IPv6 link-local', url: 'http://[fe80::1]:PORT/hook' },
  { label: 'IPv4-mapped metadata', url: 'http://[::ffff:169.254.169.254]:PORT/' },
  { label: 'IPv4-compatible loopback', url: 'http://[::127.0.0.1]:PORT/hook' },
  { label: 'IPv4-compatible metadata', url: 'http://[::a9fe:a9fe]:PORT/latest/meta-data/' },
  {
    label: 'name → ::7f00:1 (IPv4-compatible loopback)',
    url: 'http://compat.attacker.example:PORT/hook',
    dns: [v6('::7f00:1')],
  },
  {
    label: 'name → ::a9fe:a9fe (IPv4-compatible metadata)',
    url: 'http://compat-metadata.attacker.example:PORT/latest/meta-data/',
    dns: [v6('::a9fe:a9fe')],
  },
  { label: 'name → 127.0.0.1', url: 'http://loopback.attacker.example:PORT/hook', dns: [v4('127.0.0.1')] },
  { label: 'name → 127.0.0.2', url: 'http://loopback2.attacker.example:PORT/hook', dns: [v4('127.0.0.2')] },
  { label: 'name → ::1', url: 'http://v6loop.attacker.example:PORT/hook', dns: [v6('::1')] },
  { label: 'name → 0.0.0.0', url: 'http://zero.attacker.example:PORT/hook', dns: [v4('0.0.0.0')] },
  { label: 'name → 10.0.0.1', url: 'http://private.attacker.example:PORT/hook', dns: [v4('10.0.0.1')] },
  { label: 'name → 100.64.0.1', url: 'http://cgnat.attacker.example:PORT/hook', dns: [v4('100.64.0.1')] },
  {
    label: 'name → 169.254.169.254',
    url: 'http://metadata.attacker.example:PORT/latest/meta-data/',
    dns: [v4('169.254.169.254')],
  },
  { label: 'name → fd00::1', url: 'http://ula.attacker.example:PORT/hook', dns: [v6('fd00::1')] },
  { label: 'name → fe80::1', url: 'http://linklocal.attacker.example:PORT/hook', dns: [v6('fe80::1')] },
  {
    label: 'name → ::ffff:127.0.0.1',
    url: 'http://mapped.attacker.example:PORT/hook',
    dns: [v6('::ffff:127.0.0.1')],
  },
  {
    label: 'name → several private answers',
    url: 'http://many.attacker.example:PORT/hook',
    dns: [v4('192.168.0.10'), v4('127.0.0.1'), v6('::1'), v6('fd12::1')],
  },
  { label: 'https, name → 127.0.0.1', url: 'https://tls.attacker.example:PORT/hook', dns: [v4('127.0.0.1')] },
];

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

describe('SSRF matrix: refused at creation where decidable, always at connect time, redirects never followed', () => {
  let api: ApiHarness;
  let listener: PrivateListener;
  let listenerV6: PrivateListener | undefined;
  let receiver: SignatureVerifyingReceiver;
  const clients: WebhookHttpClient[] = [];
  const lookedUp: string[] = [];
  const dnsAnswers = new Map<string, LookupAddress[]>();

  beforeAll(async () => {
    api = await startApiHarness({ localMode: false });
    listener = (await startPrivateListener('127.0.0.1')) as PrivateListener;
    // Same port on ::1 when IPv6 loopback exists here, so [::1] cases have something to hit too.
    listenerV6 = await startPrivateListener('::1', listener.port);
    receiver = await startSignatureVerifyingReceiver();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await receiver?.stop();
    await listenerV6?.close();
    await listener?.close();
    await api?.stop();
  });

  /** The real delivery handler on the emulators; its HTTP client resolves names through `dnsAnswers`. */
  function deliveryHandler(localMode: boolean) {
    const config = loadDeliveryConfig({
      WEBHOOKS_TABLE: api.tables.webhooks,
      DELIVERY_LOG_TABLE: api.tables.deliveryLog,
      DELIVERIES_QUEUE_URL: api.queues.deliveriesQueueUrl,
      DEAD_LETTER_QUEUE_URL: api.queues.deadLetterQueueUrl,
      SLOW_LANE_QUEUE_URL: api.queues.slowLaneQueueUrl,
      MAX_ATTEMPTS: '3',
      RETRY_DELAYS_SECONDS: '300',
      REQUEST_TIMEOUT_MS: '3000',
      WEBHOOK_CACHE_TTL_SECONDS: '0',
      LOCAL_MODE: String(localMode),
      SECRET_STORE: api.config.secretStore,
      SIGNING_KEY_SECRET_ID: api.config.signingKeySecretId,
    });
    const http = createWebhookHttpClient({
      policy: { allowLoopback: config.localMode },
      connectTimeoutMs: 2_000,
      resolveHost: async (hostname) => {
        lookedUp.push(hostname);
        const answer = dnsAnswers.get(hostname);
        if (answer === undefined)
          throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        return answer;
      },
    });
    clients.push(http);
    return buildDeliveryHandler(config, {
      webhookStore: api.webhookStore,
      deliveryLog: api.deliveryLog,
      deadLetters: new DeadLetterIndex(api.dynamo, api.tables.deliveryLog),
      limiter: new DeliveryLimiterStore(api.dynamo, api.tables.deliveryLog),
      jobQueues: sqsJobQueues(api.sqs, {
        deliveries: api.queues.deliveriesQueueUrl,
        'slow-lane': api.queues.slowLaneQueueUrl,
        'dead-letter': api.queues.deadLetterQueueUrl,
      }),
      signingSecrets: createSigningSecretsReader(api.secretsClient, config, () => {}),
      http,
      logger,
      metrics,
      now: () => new Date(),
    });
  }

  /** A webhook created through the API with an acceptable URL, whose stored target is then replaced. */
  async function webhookStoredWith(targetUrl: string): Promise<string> {
    const created = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://receiver.example.com/hook' },
    });
    expect(created.status).toBe(201);
    await api.dynamo.send(
      new UpdateItemCommand({
        TableName: api.tables.webhooks,
        Key: { workspaceId: { S: WORKSPACE_A }, id: { S: created.json.id } },
        UpdateExpression: 'SET targetUrl = :url',
        ExpressionAttributeValues: { ':url': { S: targetUrl } },
      }),
    );
    return created.json.id as string;
  }

  async function sendTestEvents(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const accepted = await api.call({ apiKey: api.keyA, method: 'POST', path: `/webhooks/${id}/test` });
      expect(accepted.status).toBe(202);
    }
  }

  /** Runs the delivery handler over the queue until nothing is visible (failed jobs wait 300 s). */
  async function deliverQueued(handler: ReturnType<typeof deliveryHandler>): Promise<number> {
    let handled = 0;
    for (;;) {
      const { received } = await pollOnce({ sqs: api.sqs, queueUrl: api.queues.deliveriesQueueUrl, handler });
      if (received === 0) break;
      handled += received;
    }
    const { Attributes = {} } = await api.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: api.queues.deliveriesQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes.ApproximateNumberOfMessages).toBe('0');
    return handled;
  }

  it.each(REFUSED_AT_CREATION)(
    'creation refuses %s (%s) with a 400 naming targetUrl',
    async (_label, url) => {
      const created = await api.call({
        apiKey: api.keyA,
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: url },
      });
      expect(created.status).toBe(400);
      expect(created.headers['content-type']).toBe('application/problem+json');
      expect(created.json.errors.map((e: { path: string }) => e.path)).toContain('targetUrl');

      const list = await api.call({ apiKey: api.keyA, method: 'GET', path: '/webhooks?limit=100' });
      expect(list.json.data.map((w: { targetUrl: string }) => w.targetUrl)).not.toContain(url);
    },
  );

  it('PATCH refuses the same URLs, leaving the stored target unchanged', async () => {
    const created = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://hooks.example.com/ok' },
    });
    expect(created.status).toBe(201);
    for (const [label, url] of REFUSED_AT_CREATION) {
      const patched = await api.call({
        apiKey: api.keyA,
        method: 'PATCH',
        path: `/webhooks/${created.json.id}`,
        body: { targetUrl: url },
      });
      expect(patched.status, label).toBe(400);
    }
    const read = await api.call({ apiKey: api.keyA, method: 'GET', path: `/webhooks/${created.json.id}` });
    expect(read.json.targetUrl).toBe('https://hooks.example.com/ok');
  });

  it('accepts names it cannot judge before DNS (they are judged when connecting)', async () => {
    const created = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://metadata.attacker.example/hook' },
    });
    expect(created.status).toBe(201);
  });

  it('the delivery function refuses every private target when connecting: the listener sees nothing', async () => {
    const started = Date.now();
    const cases = [];
    for (const c of REFUSED_AT_CONNECT) {
      const url = c.url.replace('PORT', String(listener.port));
      if (c.dns) dnsAnswers.set(new URL(url).hostname, c.dns);
      cases.push({ ...c, url, webhookId: await webhookStoredWith(url) });
    }
    await sendTestEvents(cases.map((c) => c.webhookId));
    lookedUp.length = 0;

    const handled = await deliverQueued(deliveryHandler(false));

    expect(handled).toBe(cases.length);
    for (const c of cases) {
      const { items } = await api.deliveryLog.list(c.webhookId, { limit: 10 });
      expect(items, c.label).toHaveLength(1);
      expect(items[0], c.label).toMatchObject({ outcome: 'failed', cause: 'blocked', attempt: 1 });
      expect(items[0]?.statusCode, c.label).toBeUndefined();
    }
    // Names were resolved (through the guarded lookup) and refused; literals and localhost never were.
    const names = cases.filter((c) => c.dns).map((c) => new URL(c.url).hostname);
    expect(new Set(lookedUp)).toEqual(new Set(names));
    expect(listener.connections).toBe(0);
    expect(listener.bytes).toBe(0);
    expect(listenerV6?.connections ?? 0).toBe(0);
    printFigures('ssrf at connect time', {
      cases: cases.length,
      refused: cases.length,
      listenerConnections: listener.connections + (listenerV6?.connections ?? 0),
      durationMs: Date.now() - started,
    });
  });

  it('never follows a redirect, even to a loopback address local mode allows', async () => {
    const locations = [
      `http://127.0.0.1:${listener.port}/internal`,
      `http://169.254.169.254/latest/meta-data/`,
      `http://localhost:${listener.port}/internal`,
    ];
    const cases = REDIRECT_STATUSES.flatMap((status) => locations.map((location) => ({ status, location })));
    const byWebhook = new Map<string, { status: number; location: string }>();
    for (const c of cases) byWebhook.set(await webhookStoredWith(`${receiver.url}/redirecting`), c);
    let answered = 0;
    receiver.setDefaultResponse({ status: 500 });
    receiver.respondWith(
      ...[...byWebhook.values()].map((c) => ({ status: c.status, headers: { location: c.location } })),
    );
    // The receiver answers in arrival order; send one job at a time so each webhook gets its own case.
    const handler = deliveryHandler(true);
    for (const [webhookId, c] of byWebhook) {
      await sendTestEvents([webhookId]);
      answered += await deliverQueued(handler);
      const { items } = await api.deliveryLog.list(webhookId, { limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ outcome: 'failed', cause: 'http-3xx', statusCode: c.status });
    }

    expect(answered).toBe(cases.length);
    expect(receiver.requests).toHaveLength(cases.length);
    expect(listener.connections).toBe(0);
    expect(listener.bytes).toBe(0);
  });

  it('control: the listener is reachable, so its silence above means refusal (local mode lets loopback through)', async () => {
    const webhookId = await webhookStoredWith(`http://127.0.0.1:${listener.port}/hook`);
    await sendTestEvents([webhookId]);
    await deliverQueued(deliveryHandler(true));
    expect(listener.connections).toBe(1);
    expect(listener.bytes).toBeGreaterThan(0);
  });
});
