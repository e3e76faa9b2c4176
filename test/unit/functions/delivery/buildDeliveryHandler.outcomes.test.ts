import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createWebhookHttpClient,
  type WebhookHttpClient,
} from '../../../../shared/adapters/http/webhookHttpClient';
import { encodeDeliveryJob } from '../../../../shared/domain/delivery/deliveryJob';
import { redrivenJobOf } from '../../../../shared/domain/delivery/redrivenJob';
import type { Webhook } from '../../../../shared/domain/webhooks/webhook';
import { inMemoryDeliveryHandler, silent, webhookRow } from '../../../helpers/inMemoryDeliveryDependencies';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../../../helpers/signatureVerifyingReceiver';
import { crmEvent, deliveryJobBody, lambdaContext, sqsEvent, sqsRecord } from '../../../helpers/sqsEvents';

let receiver: SignatureVerifyingReceiver;
let http: WebhookHttpClient;

beforeAll(async () => {
  receiver = await startSignatureVerifyingReceiver();
  http = createWebhookHttpClient({
    policy: { allowLoopback: true },
    resolveHost: async (hostname) =>
      hostname === 'metadata.test' ? [{ address: '169.254.169.254', family: 4 }] : [],
  });
});

afterAll(async () => {
  await http.close();
  await receiver.stop();
});

function setup(env: Record<string, string> = {}) {
  const deps = inMemoryDeliveryHandler({
    http,
    env: { MAX_ATTEMPTS: '4', RETRY_DELAYS_SECONDS: '5,300,1800', ...env },
    random: () => 0.5, // no jitter: delays are exactly the policy's
  });
  const { store, secrets } = deps;
  const addWebhook = (overrides: Partial<Webhook> = {}) => {
    const row = webhookRow(secrets, { targetUrl: `${receiver.url}/hook`, ...overrides });
    store.put(row.webhook);
    receiver.setSecrets([row.secret]);
    return row;
  };
  return { ...deps, addWebhook };
}

beforeEach(() => {
  receiver.requests.length = 0;
  receiver.setDefaultResponse({ status: 200, body: 'ok' });
});

describe('delivery outcomes', () => {
  it('delivers a 2xx: signed request, job acknowledged, attempt logged, no store write when not failing', async () => {
    const { handler, addWebhook, log, jobQueues, metrics, store } = setup();
    const { webhook } = addWebhook();
    const event = crmEvent();
    const record = sqsRecord({ body: deliveryJobBody(webhook.id, event) });

    const response = await handler(sqsEvent([record]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.verified).toBe(true);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^crm-webhooks\/\d+\.\d+\.\d+/);
    expect(JSON.parse(request.body)).toMatchObject({ event: 'person.created', eventId: event.eventId });
    expect(request.body).toContain('"score":12345678901234567890');
    expect(jobQueues.calls).toEqual([]);
    expect(log.entries).toEqual([
      expect.objectContaining({
        webhookId: webhook.id,
        eventId: event.eventId,
        attempt: 1,
        outcome: 'delivered',
        statusCode: 200,
        responseBody: 'ok',
      }),
    ]);
    expect(log.ttlDays).toEqual([30]);
    expect(metrics.named('Delivered')).toHaveLength(1);
    expect(metrics.named('DeliveryAttempts')).toHaveLength(1);
    expect(metrics.latencies).toHaveLength(1);
    expect(metrics.flushes).toBe(1);
    expect(store.calls.filter((call) => call.startsWith('recordSuccess'))).toEqual([]);
  });

  it('ends a failure run on success', async () => {
    const { handler, addWebhook, store } = setup();
    const { webhook } = addWebhook({ failingSince: new Date(Date.now() - 3_600_000).toISOString() });

    await handler(sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]), lambdaContext());

    expect(store.calls).toContain(`recordSuccess:${webhook.id}`);
    expect(store.rows.get(webhook.id)?.failingSince).toBeUndefined();
  });

  it('a success ends a failure run another job of the batch started while it was in flight', async () => {
    const { handler, addWebhook, store } = setup();
    const { webhook } = addWebhook();
    // Whichever request arrives first succeeds slowly; the other fails at once, while the first waits.
    receiver.respondWith({ status: 200, body: 'ok', delayMs: 300 }, { status: 500, body: 'boom' });

    await handler(
      sqsEvent([
        sqsRecord({ body: deliveryJobBody(webhook.id) }),
        sqsRecord({ body: deliveryJobBody(webhook.id) }),
      ]),
      lambdaContext(),
    );

    expect(store.calls).toContain(`recordFailure:${webhook.id}`);
    expect(store.calls.indexOf(`recordSuccess:${webhook.id}`)).toBeGreaterThan(
      store.calls.indexOf(`recordFailure:${webhook.id}`),
    );
    expect(store.rows.get(webhook.id)?.failingSince).toBeUndefined();
    expect(store.rows.get(webhook.id)?.consecutiveFailures).toBeUndefined();
  });

  it('retries a 500 by sending the job again for the next attempt, then acknowledging the received one', async () => {
    const { handler, addWebhook, log, jobQueues, metrics, store } = setup();
    const { webhook } = addWebhook();
    receiver.setDefaultResponse({ status: 500, body: 'boom' });
    const event = crmEvent();
    // Attempt 2 comes from the body, whatever SQS's receive count says.
    const record = sqsRecord({ body: deliveryJobBody(webhook.id, event, { attempt: 2 }), receiveCount: 1 });

    const before = Date.now();
    const response = await handler(sqsEvent([record]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    // Retries wait for, and run in, the slow lane.
    const [sent, ...others] = jobQueues.to('slow-lane');
    expect(others).toEqual([]);
    expect(sent?.job).toMatchObject({ attempt: 3, deliveryId: expect.any(String), eventId: event.eventId });
    // 300 s: within one SQS delay, so a single hop.
    expect(sent?.delaySeconds).toBe(300);
    expect(sent!.job.notBefore! - before).toBeGreaterThanOrEqual(299_000);
    expect(sent?.attributes).toEqual({ webhookId: webhook.id });
    const entry = log.entries[0]!;
    expect(entry).toMatchObject({ outcome: 'failed', cause: 'http-5xx', statusCode: 500, attempt: 2 });
    expect(Date.parse(entry.nextAttemptAt!)).toBe(sent!.job.notBefore);
    expect(metrics.named('DeliveryFailed')).toEqual([{ name: 'DeliveryFailed', cause: 'http-5xx' }]);
    expect(metrics.named('RetriesScheduled')).toHaveLength(1);
    expect(store.rows.get(webhook.id)?.failingSince).toBeDefined();
    expect(store.rows.get(webhook.id)?.status).toBe('active');
  });

  it('chains a wait longer than 15 minutes: first hop 900 s, and a job received early only moves on', async () => {
    const { handler, addWebhook, jobQueues, metrics, log } = setup({ RETRY_DELAYS_SECONDS: '43200' });
    const { webhook } = addWebhook();
    receiver.setDefaultResponse({ status: 500 });
    const before = Date.now();
    await handler(sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]), lambdaContext());
    const [first] = jobQueues.to('slow-lane');
    expect(first?.delaySeconds).toBe(900);
    expect(first!.job.notBefore! - before).toBeGreaterThanOrEqual(43_200_000 - 1000);

    // The hop arrives 15 min in (here: now, with notBefore 5 min away): sent on, nothing attempted.
    const requestsBefore = receiver.requests.length;
    const notBefore = Date.now() + 300_500;
    const early = sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent(), { attempt: 2, notBefore }) });
    const response = await handler(sqsEvent([early]), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests.length).toBe(requestsBefore);
    // A hop stays in the lane it arrived on (here the primary lane).
    const hop = jobQueues.to('deliveries')[0];
    expect(hop?.job).toMatchObject({ attempt: 2, notBefore });
    expect(hop?.delaySeconds).toBe(301);
    expect(metrics.named('DelayHops')).toHaveLength(1);
    expect(log.entries).toHaveLength(1);
  });

  it('attempts a job whose notBefore is less than a second away', async () => {
    const { handler, addWebhook } = setup();
    const { webhook } = addWebhook();
    const body = deliveryJobBody(webhook.id, crmEvent(), { attempt: 2, notBefore: Date.now() + 500 });
    const response = await handler(sqsEvent([sqsRecord({ body })]), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('reports the record as failed and counts SqsCallFailures when SQS refuses the re-send', async () => {
    const { handler, addWebhook, jobQueues, metrics } = setup();
    const { webhook } = addWebhook();
    receiver.setDefaultResponse({ status: 500 });
    const refused = sqsRecord({ body: deliveryJobBody(webhook.id) });
    const thrown = sqsRecord({ body: deliveryJobBody(webhook.id) });

    jobQueues.failBodiesContaining = '"attempt":2';
    const first = await handler(sqsEvent([refused]), lambdaContext());
    jobQueues.failBodiesContaining = undefined;
    jobQueues.failNextCallWith = Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
    const second = await handler(sqsEvent([thrown]), lambdaContext());

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: refused.messageId }]);
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: thrown.messageId }]);
    expect(metrics.named('SqsCallFailures')).toEqual([
      { name: 'SqsCallFailures', operation: 'SendMessageBatch' },
      { name: 'SqsCallFailures', operation: 'SendMessageBatch' },
    ]);
  });

  it('batches the re-sends of one invocation into one call per destination', async () => {
    const { handler, addWebhook, jobQueues } = setup();
    const { webhook } = addWebhook();
    receiver.setDefaultResponse({ status: 503 });
    const records = Array.from({ length: 6 }, () =>
      sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent()) }),
    );
    await handler(sqsEvent(records), lambdaContext());
    expect(jobQueues.calls).toEqual([{ destination: 'slow-lane', count: 6 }]);
  });

  it('runs the real delay table scaled by RETRY_DELAY_SCALE', async () => {
    const { handler, addWebhook, jobQueues } = setup({
      RETRY_DELAYS_SECONDS: '3600',
      RETRY_DELAY_SCALE: '0.001',
    });
    const { webhook } = addWebhook();
    receiver.setDefaultResponse({ status: 500 });
    const before = Date.now();
    await handler(sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]), lambdaContext());
    const [sent] = jobQueues.to('slow-lane');
    expect(sent!.job.notBefore! - before).toBeGreaterThanOrEqual(3_500);
    expect(sent!.job.notBefore! - Date.now()).toBeLessThanOrEqual(3_700);
    expect(sent?.delaySeconds).toBe(4);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const { handler, addWebhook, log } = setup();
    const { webhook } = addWebhook();
    receiver.respondWith({ status: 302, headers: { location: 'http://metadata.test/latest/meta-data/' } });

    const response = await handler(
      sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({ outcome: 'failed', cause: 'http-3xx', statusCode: 302 });
  });

  it('dead-letters after the last attempt: sent to the DLQ, indexed for the webhook, logged', async () => {
    const { handler, addWebhook, log, jobQueues, deadLetters, metrics } = setup();
    const { webhook } = addWebhook();
    receiver.setDefaultResponse({ status: 500 });
    const event = crmEvent();
    const record = sqsRecord({
      body: deliveryJobBody(webhook.id, event, { attempt: 4, notBefore: Date.now() - 10 }),
    });

    const response = await handler(sqsEvent([record]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(jobQueues.to('deliveries')).toEqual([]);
    const [dead] = jobQueues.to('dead-letter');
    expect(dead?.job).toMatchObject({ attempt: 4, eventId: event.eventId });
    expect(dead?.job.notBefore).toBeUndefined();
    const [indexed] = [...deadLetters.entries.values()];
    expect(indexed).toMatchObject({
      webhookId: webhook.id,
      attempts: 4,
      cause: 'http-5xx',
      jobBody: dead?.body,
    });
    expect(log.entries[0]).toMatchObject({ outcome: 'dead-lettered', cause: 'http-5xx', attempt: 4 });
    expect(log.entries[0]?.nextAttemptAt).toBeUndefined();
    expect(metrics.named('DeadLettered')).toHaveLength(1);
  });

  describe('lanes and the endpoint breaker', () => {
    const SLOW_LANE_ARN = 'arn:aws:sqs:us-east-1:000000000000:deliveries-slow';

    it('sends a primary-lane job of an endpoint marked slow to the slow lane without a request', async () => {
      const { handler, addWebhook, jobQueues, metrics, log } = setup();
      const { webhook } = addWebhook({ slowUntil: Date.now() + 60_000 });
      const response = await handler(
        sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]),
        lambdaContext(),
      );
      expect(response.batchItemFailures).toEqual([]);
      expect(receiver.requests).toHaveLength(0);
      expect(jobQueues.to('slow-lane').map((sent) => sent.job.webhookId)).toEqual([webhook.id]);
      expect(metrics.named('MovedToSlowLane')).toEqual([{ name: 'MovedToSlowLane', cause: 'endpoint-slow' }]);
      expect(log.entries).toEqual([]);
    });

    it('opens the breaker after 5 consecutive failures; then a due job fails as circuit-open without a request', async () => {
      const { handler, addWebhook, store, metrics, log, jobQueues } = setup({ MAX_ATTEMPTS: '10' });
      const { webhook } = addWebhook();
      receiver.setDefaultResponse({ status: 503 });
      const inSlowLane = () =>
        sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent(), { attempt: 2 }), queueArn: SLOW_LANE_ARN });
      await handler(sqsEvent(Array.from({ length: 5 }, inSlowLane)), lambdaContext());
      expect(receiver.requests).toHaveLength(5);
      expect(store.rows.get(webhook.id)?.breakerOpenUntil).toBeGreaterThan(Date.now() + 25_000);
      expect(metrics.named('BreakerOpened')).toHaveLength(1);

      const before = jobQueues.to('slow-lane').length;
      await handler(sqsEvent([inSlowLane()]), lambdaContext());
      expect(receiver.requests).toHaveLength(5);
      expect(log.entries.at(-1)).toMatchObject({ outcome: 'failed', cause: 'circuit-open', attempt: 2 });
      // Rescheduled by the normal schedule, so it still reaches the DLQ on time.
      expect(jobQueues.to('slow-lane')[before]?.job.attempt).toBe(3);
      expect(metrics.named('DeliveryFailed').at(-1)).toEqual({
        name: 'DeliveryFailed',
        cause: 'circuit-open',
      });
    });

    it('a redriven job is attempted although the breaker is open (in the slow lane); its retry is not', async () => {
      const { handler, addWebhook, jobQueues, log, store } = setup({ MAX_ATTEMPTS: '10' });
      const { webhook } = addWebhook({
        consecutiveFailures: 9,
        breakerOpenUntil: Date.now() + 60_000,
        breakerOpenings: 1,
        failingSince: new Date(Date.now() - 60_000).toISOString(),
      });
      receiver.setDefaultResponse({ status: 500 });
      const redriven = redrivenJobOf(deliveryJobBody(webhook.id));
      if (!redriven.ok) throw new Error(redriven.error);
      const body = encodeDeliveryJob(redriven.job);

      // The primary lane never waits on a failing endpoint, even for a redrive.
      await handler(sqsEvent([sqsRecord({ body })]), lambdaContext());
      expect(receiver.requests).toHaveLength(0);
      const [moved] = jobQueues.to('slow-lane');
      expect(moved?.job).toMatchObject({ redriveCount: 1 });
      expect(moved?.job.attempt).toBeUndefined();

      await handler(sqsEvent([sqsRecord({ body, queueArn: SLOW_LANE_ARN })]), lambdaContext());
      expect(receiver.requests).toHaveLength(1);
      expect(store.calls).not.toContain(`acquireProbeLease:${webhook.id}`);
      expect(log.entries.at(-1)).toMatchObject({ outcome: 'failed', cause: 'http-5xx', attempt: 1 });
      const retry = jobQueues.to('slow-lane').at(-1)!;
      expect(retry.job).toMatchObject({ attempt: 2, redriveCount: 1 });

      // Attempt 2 follows the breaker: no request while it is open.
      await handler(
        sqsEvent([
          sqsRecord({ body: encodeDeliveryJob({ ...retry.job, notBefore: 0 }), queueArn: SLOW_LANE_ARN }),
        ]),
        lambdaContext(),
      );
      expect(receiver.requests).toHaveLength(1);
      expect(log.entries.at(-1)).toMatchObject({ cause: 'circuit-open', attempt: 2 });
    });

    it('a redriven job that succeeds closes an open breaker', async () => {
      const { handler, addWebhook, store } = setup();
      const { webhook } = addWebhook({
        consecutiveFailures: 9,
        breakerOpenUntil: Date.now() + 60_000,
        breakerOpenings: 3,
        failingSince: new Date(Date.now() - 60_000).toISOString(),
      });
      const redriven = redrivenJobOf(deliveryJobBody(webhook.id));
      if (!redriven.ok) throw new Error(redriven.error);
      await handler(
        sqsEvent([sqsRecord({ body: encodeDeliveryJob(redriven.job), queueArn: SLOW_LANE_ARN })]),
        lambdaContext(),
      );
      expect(receiver.requests).toHaveLength(1);
      const row = store.rows.get(webhook.id)!;
      expect([row.breakerOpenUntil, row.consecutiveFailures, row.failingSince]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('a slow success closes the breaker but keeps the slow mark; a fast one clears it', async () => {
      const { handler, addWebhook, store } = setup({ PRIMARY_LANE_SLOW_AFTER_MS: '300' });
      const slowUntil = Date.now() + 60_000;
      const { webhook } = addWebhook({ consecutiveFailures: 3, slowUntil });
      const inSlowLane = () => sqsRecord({ body: deliveryJobBody(webhook.id), queueArn: SLOW_LANE_ARN });
      receiver.setDefaultResponse({ status: 200, delayMs: 500 });
      await handler(sqsEvent([inSlowLane()]), lambdaContext());
      let row = store.rows.get(webhook.id)!;
      expect([row.consecutiveFailures, row.slowUntil]).toEqual([undefined, slowUntil]);
      receiver.setDefaultResponse({ status: 200 });
      await handler(sqsEvent([inSlowLane()]), lambdaContext());
      row = store.rows.get(webhook.id)!;
      expect(row.slowUntil).toBeUndefined();
      expect(receiver.requests).toHaveLength(2);
    });

    it('after the cooldown one probe is made; success closes the breaker and clears the bookkeeping', async () => {
      const { handler, addWebhook, store } = setup();
      const { webhook } = addWebhook({
        consecutiveFailures: 7,
        breakerOpenUntil: Date.now() - 1,
        breakerOpenings: 1,
        slowUntil: Date.now() + 60_000,
        failingSince: new Date(Date.now() - 60_000).toISOString(),
      });
      const record = sqsRecord({ body: deliveryJobBody(webhook.id), queueArn: SLOW_LANE_ARN });
      await handler(sqsEvent([record]), lambdaContext());
      expect(receiver.requests).toHaveLength(1);
      expect(store.calls).toContain(`acquireProbeLease:${webhook.id}`);
      const row = store.rows.get(webhook.id)!;
      expect([row.breakerOpenUntil, row.consecutiveFailures, row.slowUntil, row.failingSince]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('a failed probe reopens the breaker with a doubled cooldown; a concurrent job makes no request', async () => {
      const { handler, addWebhook, store, log } = setup();
      const { webhook } = addWebhook({
        consecutiveFailures: 5,
        breakerOpenUntil: Date.now() - 1,
        breakerOpenings: 1,
      });
      receiver.setDefaultResponse({ status: 500 });
      const records = [1, 2].map(() =>
        sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent()), queueArn: SLOW_LANE_ARN }),
      );
      await handler(sqsEvent(records), lambdaContext());
      expect(receiver.requests).toHaveLength(1);
      expect(log.entries.map((entry) => entry.cause).sort()).toEqual(['circuit-open', 'http-5xx']);
      const row = store.rows.get(webhook.id)!;
      expect(row.breakerOpenings).toBe(2);
      expect(row.breakerOpenUntil! - Date.now()).toBeGreaterThan(55_000);
    });
  });

  it('disables the webhook on 410 Gone and acknowledges the job', async () => {
    const { handler, addWebhook, log, jobQueues, metrics, store } = setup();
    const { webhook } = addWebhook();
    receiver.respondWith({ status: 410 });
    const first = sqsRecord({ body: deliveryJobBody(webhook.id) });
    const second = sqsRecord({ body: deliveryJobBody(webhook.id) });

    const response = await handler(sqsEvent([first]), lambdaContext());
    const afterwards = await handler(sqsEvent([second]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(afterwards.batchItemFailures).toEqual([]);
    expect(store.rows.get(webhook.id)).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    expect(jobQueues.calls).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    expect(log.entries.map((entry) => entry.outcome)).toEqual(['gone', 'skipped']);
    expect(metrics.named('WebhooksDisabled')).toEqual([{ name: 'WebhooksDisabled', cause: 'gone' }]);
  });

  it('skips jobs of deleted and disabled webhooks without sending anything', async () => {
    const { handler, addWebhook, log, metrics } = setup();
    const { webhook: disabled } = addWebhook({ status: 'disabled', disabledReason: 'user' });
    const deleted = sqsRecord({ body: deliveryJobBody('wh_deleted') });
    const ofDisabled = sqsRecord({ body: deliveryJobBody(disabled.id) });

    const response = await handler(sqsEvent([deleted, ofDisabled]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(0);
    expect(log.entries.map((entry) => [entry.outcome, entry.cause])).toEqual(
      expect.arrayContaining([
        ['skipped', 'webhook-deleted'],
        ['skipped', 'webhook-disabled'],
      ]),
    );
    expect(metrics.named('JobsSkipped')).toHaveLength(2);
  });

  it('acknowledges a malformed message with a metric instead of retrying it forever', async () => {
    const { handler, metrics, log } = setup();
    const notJson = sqsRecord({ body: 'not json' });
    const wrongShape = sqsRecord({ body: JSON.stringify({ v: 1, webhookId: 'x' }) });

    const response = await handler(sqsEvent([notJson, wrongShape]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.named('MalformedJobs')).toHaveLength(2);
    expect(log.entries).toEqual([]);
  });

  it('refuses a target resolving to a metadata address: failed attempt with cause "blocked"', async () => {
    const { handler, addWebhook, log, metrics } = setup();
    const { webhook } = addWebhook({ targetUrl: 'http://metadata.test/hook' });

    const response = await handler(
      sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(log.entries[0]).toMatchObject({ outcome: 'failed', cause: 'blocked' });
    expect(log.entries[0]?.error).toContain('169.254.169.254');
    expect(metrics.named('DeliveryFailed')).toEqual([{ name: 'DeliveryFailed', cause: 'blocked' }]);
  });

  it('auto-disables a webhook failing for longer than AUTO_DISABLE_AFTER_HOURS, never on a first failure', async () => {
    const { handler, addWebhook, store, metrics, log, jobQueues } = setup({ AUTO_DISABLE_AFTER_HOURS: '1' });
    receiver.setDefaultResponse({ status: 500 });
    const { webhook: fresh } = addWebhook();
    const { webhook: old } = addWebhook({ failingSince: new Date(Date.now() - 2 * 3_600_000).toISOString() });

    const response = await handler(
      sqsEvent([
        sqsRecord({ body: deliveryJobBody(fresh.id) }),
        sqsRecord({ body: deliveryJobBody(old.id) }),
      ]),
      lambdaContext(),
    );

    expect(store.rows.get(fresh.id)?.status).toBe('active');
    expect(store.rows.get(old.id)).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    expect(metrics.named('WebhooksDisabled')).toEqual([{ name: 'WebhooksDisabled', cause: 'failing' }]);
    // The fresh webhook's job is re-sent for a retry; the disabled one's is only acknowledged.
    expect(response.batchItemFailures).toEqual([]);
    expect(jobQueues.to('slow-lane').map((sent) => sent.job.webhookId)).toEqual([fresh.id]);
    expect(log.entries.find((entry) => entry.webhookId === old.id)?.error).toContain('webhook disabled');
  });

  it('signs with both secrets during a rotation window and with the current one after it', async () => {
    const { handler, store, secrets } = setup();
    const { webhook, secret: previousSecret } = webhookRow(secrets, { targetUrl: `${receiver.url}/hook` });
    const current = secrets.add(webhook.secretName);
    const rotating: Webhook = {
      ...webhook,
      secretVersionId: current.versionId,
      previousSecretVersionId: webhook.secretVersionId,
      previousSecretExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    store.put(rotating);
    receiver.setSecrets([current.value, previousSecret]);

    await handler(sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id) })]), lambdaContext());
    store.put({
      ...rotating,
      id: 'wh_expired',
      previousSecretExpiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await handler(sqsEvent([sqsRecord({ body: deliveryJobBody('wh_expired') })]), lambdaContext());

    const [during, after] = receiver.requests;
    expect(during?.standardValidFor).toEqual([true, true]);
    expect(during?.twentyValidFor).toEqual([true, false]);
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(after?.standardValidFor).toEqual([true, false]);
    expect(String(after?.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it("writes an invocation's attempts in one batch write, after every job of the batch is done", async () => {
    const { handler, addWebhook, log } = setup();
    const { webhook } = addWebhook();
    const records = Array.from({ length: 4 }, () =>
      sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent()) }),
    );
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(log.batches).toEqual([4]);
    expect(log.entries.map((e) => e.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('logs (ids only) and counts attempt log entries it could not write; the deliveries stay acknowledged', async () => {
    const { handler, addWebhook, log, metrics } = setup();
    const { webhook } = addWebhook();
    const errors = vi.spyOn(silent, 'error');
    try {
      log.leaveUnprocessed = 2;
      const records = Array.from({ length: 3 }, () =>
        sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent()) }),
      );
      const first = await handler(sqsEvent(records), lambdaContext());
      expect(first.batchItemFailures).toEqual([]);
      expect(metrics.named('AttemptLogWriteFailures')).toHaveLength(2);

      log.failWith = Object.assign(new Error('throttled'), {
        name: 'ProvisionedThroughputExceededException',
      });
      const second = await handler(
        sqsEvent([sqsRecord({ body: deliveryJobBody(webhook.id, crmEvent()) })]),
        lambdaContext(),
      );
      expect(second.batchItemFailures).toEqual([]);
      expect(metrics.named('AttemptLogWriteFailures')).toHaveLength(3);

      const logged = errors.mock.calls.filter(
        ([message]) => message === 'Could not write attempt log entries',
      );
      expect(logged).toHaveLength(2);
      const [, firstDetails] = logged[0] as [string, { unwritten: number; attempts: object[] }];
      expect(firstDetails.unwritten).toBe(2);
      expect(Object.keys(firstDetails.attempts[0] ?? {}).sort()).toEqual([
        'attempt',
        'deliveryId',
        'outcome',
        'webhookId',
      ]);
      expect(logged[1]?.[1]).toMatchObject({ unwritten: 1, error: expect.stringContaining('throttled') });
    } finally {
      errors.mockRestore();
    }
  });
});
