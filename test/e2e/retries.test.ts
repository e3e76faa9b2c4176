import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRuntimeProcess,
  startLocalRuntimeProcess,
  stopAndExpectNoOrphans,
} from '../helpers/e2eLocalRuntime';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';

interface CreatedWebhook {
  id: string;
  secret: string;
}

interface AttemptView {
  deliveryId: string;
  event: string;
  attempt: number;
  outcome: string;
  statusCode?: number;
}

const waitUntil = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('npm start, end to end: retries, dead letters and redrive (RETRY_DELAYS_SECONDS=1,1,1, MAX_ATTEMPTS=3)', () => {
  let runtime: LocalRuntimeProcess;
  const receivers: SignatureVerifyingReceiver[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntimeProcess({ RETRY_DELAYS_SECONDS: '1,1,1', MAX_ATTEMPTS: '3' });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    if (runtime) await stopAndExpectNoOrphans(runtime);
  }, 30_000);

  async function webhookWithReceiver(operations: string[]) {
    const receiver = await startSignatureVerifyingReceiver();
    receivers.push(receiver);
    const created = await runtime.api<CreatedWebhook>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
      operations,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    receiver.setSecrets([created.body.secret]);
    return { webhook: created.body, receiver };
  }

  it('a receiver failing twice gets the event on the third attempt, with the same webhook-id', async () => {
    const { webhook, receiver } = await webhookWithReceiver(['person.created']);
    receiver.respondWith({ status: 500, body: 'down' }, { status: 502 });
    await runtime.dynamo.send(new PutItemCommand({ TableName: 'person', Item: { id: { S: 'e2e-retry' } } }));

    const attempts = await receiver.waitForRequests(3, 20_000);
    expect(attempts.every((r) => r.verified)).toBe(true);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Each retry waits for the configured delay (1 s, ±20 % jitter) before the job is visible again.
    for (let i = 1; i < 3; i++) {
      expect(attempts[i]!.receivedAt - attempts[i - 1]!.receivedAt).toBeGreaterThanOrEqual(700);
    }
    // A retry is signed anew: fresh timestamp per attempt.
    expect(new Set(attempts.map((r) => r.headers['x-twenty-webhook-nonce'])).size).toBe(3);

    const log = await waitUntil(
      () => runtime.api<{ data: AttemptView[] }>('GET', `/webhooks/${webhook.id}/deliveries`),
      (answer) => answer.body.data.length === 3,
      10_000,
    );
    expect(log.body.data.map((a) => [a.attempt, a.outcome])).toEqual([
      [3, 'delivered'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
  }, 40_000);

  it('a receiver that always fails: the job is dead-lettered, shows in the log, and redrive delivers it', async () => {
    const { webhook, receiver } = await webhookWithReceiver(['company.created']);
    receiver.setDefaultResponse({ status: 500, body: 'still down' });
    await runtime.dynamo.send(new PutItemCommand({ TableName: 'company', Item: { id: { S: 'e2e-dlq' } } }));

    await receiver.waitForRequests(3, 20_000);
    const log = await waitUntil(
      () => runtime.api<{ data: AttemptView[] }>('GET', `/webhooks/${webhook.id}/deliveries`),
      (answer) => answer.body.data.some((a) => a.outcome === 'dead-lettered'),
      10_000,
    );
    expect(log.body.data[0]).toMatchObject({
      attempt: 3,
      outcome: 'dead-lettered',
      event: 'company.created',
    });

    // Nothing more arrives on its own: the job sits in the DLQ.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.requests).toHaveLength(3);

    receiver.setDefaultResponse({ status: 204 });
    const redrive = await waitUntil(
      () => runtime.api<{ redriven: number }>('POST', `/webhooks/${webhook.id}/redrive`),
      // fauxqs moves the job to the DLQ on the next receive after the last attempt: retry until it is there.
      (answer) => answer.status !== 202 || answer.body.redriven > 0,
      10_000,
    );
    expect(redrive.status).toBe(202);
    expect(redrive.body.redriven).toBe(1);

    const all = await receiver.waitForRequests(4, 15_000);
    const last = all[3]!;
    expect(last.verified).toBe(true);
    expect(last.headers['webhook-id']).toBe(all[0]!.headers['webhook-id']);
    expect(JSON.parse(last.body).event).toBe('company.created');
    await waitUntil(
      () => runtime.api<{ data: AttemptView[] }>('GET', `/webhooks/${webhook.id}/deliveries`),
      (answer) => answer.body.data[0]?.outcome === 'delivered',
      10_000,
    );
  }, 60_000);
});
