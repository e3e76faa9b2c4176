import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRuntimeProcess,
  startLocalRuntimeProcess,
  stopAndExpectNoOrphans,
} from '../helpers/e2eLocalRuntime';
import {
  type ReceivedRequest,
  type ScriptedResponse,
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';

/*
 * The per-webhook limits on the local stack started as `npm start` starts it: CRM writes → stream
 * poller → event mapper → SQS → delivery, with the limiter's state in DynamoDB Local. One burst of
 * records goes to three webhooks at once: one limited to 2 deliveries/s, one capped at 1 request in
 * flight, one without limits that must not be slowed by the others.
 */

const BURST = 12;
const RATE = 2;

/** Most requests that started within any `windowMs`. */
function mostStartedWithin(requests: readonly ReceivedRequest[], windowMs: number): number {
  const times = requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < times.length; i++) {
    let j = i;
    while (j + 1 < times.length && times[j + 1]! - times[i]! < windowMs) j++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('npm start, end to end: rateLimit and maxConcurrentDeliveries delay deliveries, never drop them', () => {
  let runtime: LocalRuntimeProcess;
  const receivers: SignatureVerifyingReceiver[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntimeProcess({});
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    if (runtime) await stopAndExpectNoOrphans(runtime);
  }, 30_000);

  async function webhookWithReceiver(limits: Record<string, number>, answer?: ScriptedResponse) {
    const receiver = await startSignatureVerifyingReceiver();
    receivers.push(receiver);
    if (answer) receiver.setDefaultResponse(answer);
    const created = await runtime.api<{ id: string; secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
      operations: ['company.created'],
      ...limits,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    receiver.setSecrets([created.body.secret]);
    return { webhook: created.body, receiver };
  }

  it(`a burst of ${BURST} records: all delivered to each webhook, at ≤ ${RATE}/s to the limited one, one at a time to the capped one, at full speed to the other`, async () => {
    const limited = await webhookWithReceiver({ rateLimit: RATE });
    // Each answer takes 300 ms: without the cap, the jobs of one SQS batch would overlap.
    const capped = await webhookWithReceiver({ maxConcurrentDeliveries: 1 }, { status: 200, delayMs: 300 });
    const free = await webhookWithReceiver({});

    const writtenAt = Date.now();
    await runtime.dynamo.send(
      new BatchWriteItemCommand({
        RequestItems: {
          company: Array.from({ length: BURST }, (_, i) => ({
            PutRequest: { Item: { id: { S: `limits-${i}` }, name: { S: `Company ${i}` } } },
          })),
        },
      }),
    );

    const freeRequests = await free.receiver.waitForRequests(BURST, 30_000);
    const limitedRequests = await limited.receiver.waitForRequests(BURST, 60_000);
    const cappedRequests = await capped.receiver.waitForRequests(BURST, 90_000);
    // Give duplicates (there must be none) a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    for (const [name, receiver] of [
      ['limited', limited.receiver],
      ['capped', capped.receiver],
      ['free', free.receiver],
    ] as const) {
      const ids = receiver.requests.map((r) => r.headers['webhook-id']);
      expect(
        receiver.requests.every((r) => r.verified),
        name,
      ).toBe(true);
      // Every record once: nothing dropped, nothing sent twice (stable delivery ids).
      expect(new Set(ids).size, name).toBe(BURST);
      expect(ids.length, name).toBe(BURST);
    }

    // The unlimited webhook is not slowed: its whole burst arrives in a few seconds.
    const freeLastMs = Math.max(...freeRequests.map((r) => r.receivedAt)) - writtenAt;
    // The limited one: a burst at 2/s starts RATE deliveries at once (one second's worth), then one
    // every 500 ms, so it takes at least (BURST - RATE) / RATE s. SQS delays are whole seconds, so the
    // slots of one second arrive together and, with the poller's timing, two such pairs can fall within
    // one second: at most 2 x rate + 1 in any second (generous).
    const limitedTimes = limitedRequests.map((r) => r.receivedAt);
    const limitedSpanMs = Math.max(...limitedTimes) - Math.min(...limitedTimes);
    const limitedMostPerSecond = mostStartedWithin(limitedRequests, 1_000);
    // The capped one: requests never overlap (each answer takes 300 ms).
    const cappedTimes = cappedRequests.map((r) => r.receivedAt).sort((a, b) => a - b);
    const cappedGaps = cappedTimes.slice(1).map((t, i) => t - cappedTimes[i]!);
    console.log(
      JSON.stringify({
        freeLastMs,
        limitedSpanMs,
        limitedMostPerSecond,
        limitedLastMs: Math.max(...limitedTimes) - writtenAt,
        cappedLastMs: cappedTimes.at(-1)! - writtenAt,
        cappedMinGapMs: Math.min(...cappedGaps),
      }),
    );
    expect(freeLastMs).toBeLessThan(8_000);
    expect(limitedMostPerSecond).toBeLessThanOrEqual(2 * RATE + 1);
    // Beyond the first second's burst, on average no faster than the rate (5 % for request latency).
    expect((BURST - RATE) / (limitedSpanMs / 1000)).toBeLessThanOrEqual(RATE * 1.05);
    expect(freeLastMs).toBeLessThan(Math.max(...limitedTimes) - writtenAt);
    expect(Math.min(...cappedGaps)).toBeGreaterThanOrEqual(280);

    // Waiting used up no attempt: every delivery was attempt 1, and nothing was dead-lettered.
    for (const { webhook } of [limited, capped]) {
      const log = await runtime.api<{ data: { attempt: number; outcome: string }[] }>(
        'GET',
        `/webhooks/${webhook.id}/deliveries?limit=100`,
      );
      expect(log.body.data).toHaveLength(BURST);
      expect(log.body.data.every((a) => a.attempt === 1 && a.outcome === 'delivered')).toBe(true);
    }
  }, 150_000);
});
