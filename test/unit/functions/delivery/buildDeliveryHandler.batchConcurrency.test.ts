import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookHttpClient,
  type WebhookHttpClient,
} from '../../../../shared/adapters/http/webhookHttpClient';
import type { Webhook } from '../../../../shared/domain/webhooks/webhook';
import {
  InMemoryWebhookStore,
  inMemoryDeliveryHandler,
  webhookRow,
} from '../../../helpers/inMemoryDeliveryDependencies';
import { deliveryJobBody, lambdaContext, sqsEvent, sqsRecord } from '../../../helpers/sqsEvents';

/** Answers `/fast` at once and `/slow` after 5 s, tracking how many requests are in flight. */
let server: Server;
let baseUrl: string;
let inFlight = 0;
let peak = 0;
let http: WebhookHttpClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    req.resume();
    const delay = req.url === '/slow' ? 5_000 : req.url === '/busy' ? 100 : 0;
    const timer = setTimeout(() => {
      inFlight--;
      res.writeHead(200).end('ok');
    }, delay);
    res.on('close', () => {
      if (!res.writableEnded) {
        clearTimeout(timer);
        inFlight--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  http = createWebhookHttpClient({ policy: { allowLoopback: true } });
});

afterAll(async () => {
  await http.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

class SlowWebhookStore extends InMemoryWebhookStore {
  override async get(workspaceId: string, id: string): Promise<Webhook | undefined> {
    if (id.startsWith('wh_hang')) await sleep(10_000);
    return super.get(workspaceId, id);
  }
}

function setup(env: Record<string, string>, store = new InMemoryWebhookStore()) {
  const { handler, log, metrics, jobQueues, secrets } = inMemoryDeliveryHandler({ http, env, store });
  const addWebhook = (path: string, id?: string) => {
    const { webhook } = webhookRow(secrets, { targetUrl: `${baseUrl}${path}`, ...(id ? { id } : {}) });
    store.put(webhook);
    return webhook;
  };
  return { handler, addWebhook, log, metrics, jobQueues };
}

describe('batch concurrency and the invocation deadline', () => {
  it('delivers a batch with at most DELIVERY_CONCURRENCY requests in flight', async () => {
    const { handler, addWebhook, log } = setup({ DELIVERY_CONCURRENCY: '3' });
    const webhook = addWebhook('/busy');
    peak = 0;

    const records = Array.from({ length: 9 }, () => sqsRecord({ body: deliveryJobBody(webhook.id) }));
    const response = await handler(sqsEvent(records), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(log.entries.filter((entry) => entry.outcome === 'delivered')).toHaveLength(9);
    expect(peak).toBe(3);
  });

  it('one slow endpoint does not fail the others', async () => {
    const { handler, addWebhook, log, jobQueues, metrics } = setup({
      REQUEST_TIMEOUT_MS: '500',
      DELIVERY_CONCURRENCY: '8',
    });
    const slow = addWebhook('/slow');
    const fast = addWebhook('/fast');
    const slowRecord = sqsRecord({ body: deliveryJobBody(slow.id) });
    const fastRecords = Array.from({ length: 5 }, () => sqsRecord({ body: deliveryJobBody(fast.id) }));

    const started = Date.now();
    const response = await handler(sqsEvent([slowRecord, ...fastRecords]), lambdaContext());

    expect(Date.now() - started).toBeLessThan(2_500);
    // The slow job timed out in the primary lane: it moves to the slow lane with the same attempt
    // (no attempt spent), and the received message is acknowledged.
    expect(response.batchItemFailures).toEqual([]);
    expect(jobQueues.to('slow-lane').map((sent) => [sent.job.webhookId, sent.job.attempt])).toEqual([
      [slow.id, undefined],
    ]);
    expect(log.entries.filter((entry) => entry.outcome === 'delivered')).toHaveLength(5);
    // The receiver did get that request, so the delivery log shows it, attempt 1 continuing in the slow lane.
    expect(
      log.entries
        .filter((entry) => entry.webhookId === slow.id)
        .map(({ attempt, outcome, cause, error }) => ({ attempt, outcome, cause, error })),
    ).toEqual([
      {
        attempt: 1,
        outcome: 'failed',
        cause: 'timeout',
        error: expect.stringMatching(
          /^no answer in the primary lane after \d+ ms; the attempt continues in the slow lane$/,
        ),
      },
    ]);
    expect(metrics.named('MovedToSlowLane')).toEqual([{ name: 'MovedToSlowLane', cause: 'timeout' }]);
  });

  it('marks an endpoint slow once a primary-lane attempt outlives PRIMARY_LANE_SLOW_AFTER_MS, before its timeout', async () => {
    const { handler, addWebhook, log, jobQueues, metrics } = setup({
      PRIMARY_LANE_TIMEOUT_MS: '1500',
      PRIMARY_LANE_SLOW_AFTER_MS: '200',
    });
    const slow = addWebhook('/slow');
    const first = handler(sqsEvent([sqsRecord({ body: deliveryJobBody(slow.id) })]), lambdaContext());
    await sleep(500);
    // The first attempt is still waiting for its answer, but the endpoint is already marked slow: a job
    // of it that arrives meanwhile leaves the primary lane without a request.
    expect(inFlight).toBe(1);
    const started = Date.now();
    await handler(sqsEvent([sqsRecord({ body: deliveryJobBody(slow.id) })]), lambdaContext());
    expect(Date.now() - started).toBeLessThan(500);
    expect(inFlight).toBe(1);
    expect(metrics.named('MovedToSlowLane')).toEqual([{ name: 'MovedToSlowLane', cause: 'endpoint-slow' }]);
    await first;
    // The first one ran on to the primary lane's timeout and moved too, with its attempt unspent.
    expect(jobQueues.to('slow-lane').map((sent) => [sent.job.webhookId, sent.job.attempt])).toEqual([
      [slow.id, undefined],
      [slow.id, undefined],
    ]);
    expect(metrics.named('MovedToSlowLane').at(-1)).toEqual({ name: 'MovedToSlowLane', cause: 'timeout' });
    // Its request is in the delivery log: attempt 1 failed by timeout, continuing in the slow lane.
    expect(log.entries.map(({ attempt, outcome, cause }) => ({ attempt, outcome, cause }))).toEqual([
      { attempt: 1, outcome: 'failed', cause: 'timeout' },
    ]);
  });

  it('shortens request timeouts to the time left and leaves jobs it has no time for to SQS', async () => {
    const { handler, addWebhook, log, metrics } = setup({ DELIVERY_CONCURRENCY: '1' });
    const slow = addWebhook('/slow');
    const records = Array.from({ length: 3 }, () => sqsRecord({ body: deliveryJobBody(slow.id) }));

    const started = Date.now();
    // 4.5 s left, 3 s safety margin: the first request gets ~1.5 s instead of the configured 10 s.
    const response = await handler(sqsEvent(records), lambdaContext({ remainingMs: 4_500 }));

    expect(Date.now() - started).toBeLessThan(3_500);
    // The first job timed out and moved to the slow lane; the two it had no time for stay with SQS.
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.slice(1).map((record) => record.messageId),
    );
    // Only the request that was made (and cut short) is in the delivery log; deferred jobs made none.
    expect(log.entries.map(({ outcome, cause }) => ({ outcome, cause }))).toEqual([
      { outcome: 'failed', cause: 'timeout' },
    ]);
    expect(metrics.named('MovedToSlowLane')).toHaveLength(1);
    expect(metrics.named('JobsDeferred')).toHaveLength(2);
  });

  it('returns before the Lambda timeout even when a dependency hangs', async () => {
    const { handler, addWebhook, log } = setup({}, new SlowWebhookStore());
    const hanging = addWebhook('/fast', 'wh_hang1');
    const fine = addWebhook('/fast');
    const stuck = sqsRecord({ body: deliveryJobBody(hanging.id) });
    const ok = sqsRecord({ body: deliveryJobBody(fine.id) });

    const started = Date.now();
    const response = await handler(sqsEvent([stuck, ok]), lambdaContext({ remainingMs: 5_000 }));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: stuck.messageId }]);
    expect(log.entries.map((entry) => entry.webhookId)).toEqual([fine.id]);
  });
});
