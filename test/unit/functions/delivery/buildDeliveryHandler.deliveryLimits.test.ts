import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookHttpClient,
  type WebhookHttpClient,
} from '../../../../shared/adapters/http/webhookHttpClient';
import { decodeDeliveryJob } from '../../../../shared/domain/delivery/deliveryJob';
import type { DeliveryLimiter } from '../../../../shared/domain/limits/deliveryLimiter';
import { InProcessDeliveryLimiter } from '../../../../shared/domain/limits/inProcessDeliveryLimiter';
import type { Webhook } from '../../../../shared/domain/webhooks/webhook';
import { inMemoryDeliveryHandler, webhookRow } from '../../../helpers/inMemoryDeliveryDependencies';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../../../helpers/signatureVerifyingReceiver';
import { crmEvent, deliveryJobBody, lambdaContext, sqsEvent, sqsRecord } from '../../../helpers/sqsEvents';

const NOW = Date.parse('2026-12-04T22:30:00.000Z');

let receiver: SignatureVerifyingReceiver;
let http: WebhookHttpClient;

beforeAll(async () => {
  receiver = await startSignatureVerifyingReceiver();
  http = createWebhookHttpClient({ policy: { allowLoopback: true } });
});
afterAll(async () => {
  await http.close();
  await receiver.stop();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.setDefaultResponse({ status: 200, body: 'ok' });
});

/** Counts the limiter calls made through it (to prove unlimited webhooks make none). */
class CountingLimiter implements DeliveryLimiter {
  calls = 0;
  failWith: Error | undefined;
  failReleaseWith: Error | undefined;
  constructor(readonly inner = new InProcessDeliveryLimiter(() => 0)) {}
  async reserveRateSlot(webhookId: string, intervalMs: number, nowMs: number) {
    this.calls++;
    if (this.failWith) throw this.failWith;
    return this.inner.reserveRateSlot(webhookId, intervalMs, nowMs);
  }
  async acquireLease(webhookId: string, max: number, nowMs: number, expiryMs: number) {
    this.calls++;
    if (this.failWith) throw this.failWith;
    const lease = await this.inner.acquireLease(webhookId, max, nowMs, expiryMs);
    const failRelease = this.failReleaseWith;
    if (lease.kind === 'full' || failRelease === undefined) return lease;
    return {
      kind: 'held' as const,
      release: async () => {
        throw failRelease;
      },
    };
  }
}

/**
 * The product's primary-lane timeouts by default: on a loaded machine a first request can take 300 ms,
 * which would move it to the slow lane and fail tests that are not about timeouts. The timeout test
 * shortens them.
 */
function setup(lane: { timeoutMs: number; slowAfterMs: number } = { timeoutMs: 2000, slowAfterMs: 1000 }) {
  const { store, secrets, jobQueues, metrics, limiter, log, handler } = inMemoryDeliveryHandler({
    http,
    env: {
      PRIMARY_LANE_TIMEOUT_MS: String(lane.timeoutMs),
      PRIMARY_LANE_SLOW_AFTER_MS: String(lane.slowAfterMs),
      RETRY_DELAYS_SECONDS: '5,300,1800',
    },
    limiter: new CountingLimiter(),
    now: () => new Date(NOW),
    random: () => 0,
  });
  const addWebhook = (overrides: Partial<Webhook> = {}) => {
    const row = webhookRow(secrets, { targetUrl: `${receiver.url}/hook`, ...overrides });
    store.put(row.webhook);
    receiver.setSecrets([row.secret]);
    return row.webhook;
  };
  const jobs = (webhookId: string, count: number) =>
    Array.from({ length: count }, () => sqsRecord({ body: deliveryJobBody(webhookId, crmEvent()) }));
  return { handler, addWebhook, jobs, jobQueues, metrics, limiter, log };
}

describe('per-webhook delivery limits in the delivery function', () => {
  it('makes no limiter call for a webhook without limits', async () => {
    const { handler, addWebhook, jobs, limiter, jobQueues } = setup();
    const webhook = addWebhook();
    const response = await handler(sqsEvent(jobs(webhook.id, 5)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(5);
    expect(limiter.calls).toBe(0);
    expect(jobQueues.sent).toEqual([]);
  });

  it('rateLimit: delivers one second’s worth of a burst, delays the rest to their slots, drops none', async () => {
    const { handler, addWebhook, jobs, jobQueues, metrics, log } = setup();
    const webhook = addWebhook({ rateLimit: 2 });
    const records = jobs(webhook.id, 5);
    const response = await handler(sqsEvent(records), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.named('Delivered')).toHaveLength(2);
    const waiting = jobQueues.to('deliveries');
    expect(waiting).toHaveLength(3);
    // Slots 500 ms apart, each carried as notBefore = rateSlot, DelaySeconds rounded up to whole seconds.
    expect(waiting.map((s) => s.job.rateSlot! - NOW).sort((a, b) => a - b)).toEqual([500, 1_000, 1_500]);
    for (const sent of waiting) {
      expect(sent.job.notBefore).toBe(sent.job.rateSlot);
      expect(sent.delaySeconds).toBe(Math.ceil((sent.job.rateSlot! - NOW) / 1000));
      expect(sent.job.attempt).toBeUndefined(); // no attempt used up
    }
    // Stable delivery ids: the waiting jobs are exactly the ones not delivered.
    const delivered = new Set(receiver.requests.map((r) => JSON.parse(r.body).eventId));
    const all = records.map((r) => {
      const decoded = decodeDeliveryJob(r.body);
      if (!decoded.ok) throw new Error(decoded.error);
      return decoded.job;
    });
    expect(new Set(waiting.map((s) => s.job.deliveryId))).toEqual(
      new Set(all.filter((j) => !delivered.has(j.eventId)).map((j) => j.deliveryId)),
    );
    expect(metrics.named('DelayedByLimit')).toEqual(
      Array.from({ length: 3 }, () => ({ name: 'DelayedByLimit', cause: 'rate-limit' })),
    );
    expect(metrics.named('DeliveryAttempts')).toHaveLength(2);
    expect(log.entries).toHaveLength(2); // waiting is not an attempt
  });

  it('rateLimit: a job back at its reserved slot delivers without asking the limiter again', async () => {
    const { handler, addWebhook, limiter, jobQueues, metrics } = setup();
    const webhook = addWebhook({ rateLimit: 0.01 });
    const body = deliveryJobBody(webhook.id, crmEvent(), { attempt: 1, notBefore: NOW - 200 });
    const holding = body.replace('"notBefore":', `"rateSlot":${NOW - 200},"notBefore":`);
    const first = await handler(sqsEvent([sqsRecord({ body: holding })]), lambdaContext());
    expect(first.batchItemFailures).toEqual([]);
    expect(jobQueues.sent).toEqual([]);
    expect(metrics.named('Delivered')).toHaveLength(1);
    expect(limiter.calls).toBe(0);
    expect(jobQueues.sent).toEqual([]);

    // A retry's new notBefore no longer matches the old slot: it queues for a new one (behind a job
    // that took the current slot).
    limiter.inner.reserveRateSlotNow(webhook.id, 100_000, NOW);
    const stale = deliveryJobBody(webhook.id, crmEvent(), { attempt: 2, notBefore: NOW - 100 }).replace(
      '"notBefore":',
      `"rateSlot":${NOW - 5_000},"notBefore":`,
    );
    await handler(sqsEvent([sqsRecord({ body: stale })]), lambdaContext());
    expect(limiter.calls).toBe(1);
    expect(jobQueues.to('deliveries')).toHaveLength(1);
    expect(jobQueues.to('deliveries')[0]!.job).toMatchObject({ attempt: 2, rateSlot: NOW + 100_000 });
  });

  it('maxConcurrentDeliveries: at most the cap in flight, the rest wait 1-2 s, and every lease is given back', async () => {
    const { handler, addWebhook, jobs, jobQueues, metrics, limiter } = setup();
    receiver.setDefaultResponse({ status: 200, delayMs: 150 });
    const webhook = addWebhook({ maxConcurrentDeliveries: 2 });
    const response = await handler(sqsEvent(jobs(webhook.id, 6)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(2);
    const waiting = jobQueues.to('deliveries');
    expect(waiting).toHaveLength(4);
    for (const sent of waiting) {
      expect(sent.delaySeconds).toBeGreaterThanOrEqual(1);
      expect(sent.delaySeconds).toBeLessThanOrEqual(2);
      expect(sent.job.attempt).toBeUndefined();
    }
    expect(metrics.named('DelayedByLimit').every((m) => m.cause === 'concurrency-limit')).toBe(true);
    expect(limiter.inner.liveLeases(webhook.id, NOW)).toBe(0);
  });

  it('gives the lease back when the request fails too', async () => {
    const { handler, addWebhook, jobs, limiter, jobQueues } = setup();
    receiver.setDefaultResponse({ status: 503 });
    const webhook = addWebhook({ maxConcurrentDeliveries: 1 });
    await handler(sqsEvent(jobs(webhook.id, 1)), lambdaContext());
    expect(limiter.inner.liveLeases(webhook.id, NOW)).toBe(0);
    expect(jobQueues.to('slow-lane')[0]!.job.attempt).toBe(2); // the ordinary retry (in the slow lane)
  });

  it('a slow-lane job over a limit waits in the slow lane', async () => {
    const { handler, addWebhook, jobs, jobQueues } = setup();
    const webhook = addWebhook({ rateLimit: 1 });
    const slowLane = 'arn:aws:sqs:us-east-1:000000000000:deliveries-slow';
    const records = jobs(webhook.id, 2).map((r) => ({ ...r, eventSourceARN: slowLane }));
    await handler(sqsEvent(records), lambdaContext());
    expect(jobQueues.to('slow-lane')).toHaveLength(1);
    expect(jobQueues.to('deliveries')).toEqual([]);
  });

  it('a job whose slot was used by a primary-lane timeout reserves a new one in the slow lane', async () => {
    const { handler, addWebhook, jobQueues, limiter } = setup({ timeoutMs: 300, slowAfterMs: 200 });
    receiver.setDefaultResponse({ status: 200, delayMs: 600 });
    const webhook = addWebhook({ rateLimit: 0.01 });
    const holding = deliveryJobBody(webhook.id, crmEvent(), { attempt: 1, notBefore: NOW - 100 }).replace(
      '"notBefore":',
      `"rateSlot":${NOW - 100},"notBefore":`,
    );
    await handler(sqsEvent([sqsRecord({ body: holding })]), lambdaContext());
    expect(limiter.calls).toBe(0); // it held its slot
    const [moved] = jobQueues.to('slow-lane');
    expect(moved!.job.attempt).toBe(1);
    expect(moved!.job.rateSlot).toBeUndefined();
  });

  it('both limits: a job that waits for a lease keeps the rate slot it reserved', async () => {
    const { handler, addWebhook, jobs, jobQueues, limiter } = setup();
    const webhook = addWebhook({ rateLimit: 100, maxConcurrentDeliveries: 1 });
    // Someone else holds the only lease.
    await limiter.inner.acquireLease(webhook.id, 1, NOW, NOW + 60_000);
    await handler(sqsEvent(jobs(webhook.id, 1)), lambdaContext());
    expect(receiver.requests).toHaveLength(0);
    const [waiting] = jobQueues.to('deliveries');
    expect(waiting!.job).toMatchObject({ rateSlot: NOW, notBefore: NOW });
    expect(waiting!.delaySeconds).toBe(1);
  });

  it('a limiter error re-sends the job without consuming an attempt; a failed release is counted', async () => {
    const { handler, addWebhook, jobs, jobQueues, metrics, limiter } = setup();
    const webhook = addWebhook({ rateLimit: 5 });
    limiter.failWith = new Error('ProvisionedThroughputExceededException');
    await handler(sqsEvent(jobs(webhook.id, 1)), lambdaContext());
    expect(receiver.requests).toHaveLength(0);
    expect(metrics.named('DeliveryErrors')).toHaveLength(1);
    expect(jobQueues.to('deliveries')[0]!.job.attempt).toBeUndefined();

    limiter.failWith = undefined;
    limiter.failReleaseWith = new Error('InternalServerError');
    const capped = addWebhook({ maxConcurrentDeliveries: 3 });
    const response = await handler(sqsEvent(jobs(capped.id, 1)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    expect(metrics.named('LeaseReleaseFailures')).toHaveLength(1);
    expect(metrics.named('Delivered')).toHaveLength(1);
  });
});
