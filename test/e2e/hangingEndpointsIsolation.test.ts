import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAMES } from '../../infra/local/localRuntime';
import { DeadLetterIndex } from '../../shared/adapters/dynamodb/deadLetterIndex';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { printFigures } from '../reliability/deliveryLedger';
import {
  type ReliabilityRuntime,
  startReliabilityRuntime,
  waitUntil,
} from '../reliability/reliabilityRuntime';

/**
 * Issue 13's isolation scenario on the local stack: another workspace holds dozens of endpoints that
 * accept connections and never answer, with hundreds of deliveries pending to them. A healthy webhook
 * in a different workspace must keep its CRM-write-to-receipt p95 within 3 s and get everything,
 * while the hanging endpoints' jobs keep retrying on a (scaled-down) schedule and all end dead-lettered.
 */
const HANGING_ENDPOINTS = 32;
const WRITES_PER_HANGING_WORKSPACE = 8;
const HEALTHY_WRITES = 40;
const HANGING_WORKSPACE = 'ws-hanging';
const MAX_ATTEMPTS = 3;

describe('isolation: dozens of hanging endpoints in another workspace do not hold up a healthy one', () => {
  let rt: ReliabilityRuntime;
  let hanging: Server;
  let healthy: SignatureVerifyingReceiver;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    rt = await startReliabilityRuntime({
      maxAttempts: MAX_ATTEMPTS,
      retryDelaysSeconds: '1,2',
      requestTimeoutMs: 3_000,
      // No batching windows (DELIVERY_/MAPPER_BATCHING_WINDOW_SECONDS=0): their up to 1.5 s of
      // deliberate waiting would hide what the hanging endpoints cost the healthy webhook.
      deliveryBatchingWindowMs: 0,
      mapperBatchingWindowMs: 0,
      // Lambda would run up to deliveryMaxConcurrency (100) primary invocations; 20 loops here.
      deliveryPollers: 20,
    });
    // Accepts every request and never answers (until the test ends).
    hanging = createServer((_request: IncomingMessage, response: ServerResponse) => {
      held.push(response);
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    healthy = await startSignatureVerifyingReceiver();
  }, 90_000);

  afterAll(async () => {
    for (const response of held) response.destroy();
    hanging?.closeAllConnections();
    await new Promise((resolve) => hanging?.close(resolve));
    await healthy?.stop();
    await rt?.stop();
  }, 60_000);

  it('keeps the healthy p95 within 3 s, delivers all of it, and dead-letters every hanging job', async () => {
    const hangingPort = (hanging.address() as AddressInfo).port;
    const { key: hangingKey } = await rt.apiKeys.create(HANGING_WORKSPACE, { name: 'hanging endpoints' });
    const hangingIds: string[] = [];
    for (let i = 0; i < HANGING_ENDPOINTS; i++) {
      const created = await rt.api<{ id: string }>(
        'POST',
        '/webhooks',
        { targetUrl: `http://127.0.0.1:${hangingPort}/hang/${i}`, operations: ['person.created'] },
        hangingKey,
      );
      expect(created.status, created.text).toBe(201);
      hangingIds.push(created.body.id);
    }
    const good = await rt.api<{ id: string; secret: string }>('POST', '/webhooks', {
      targetUrl: `${healthy.url}/hook`,
      operations: ['person.created'],
    });
    expect(good.status, good.text).toBe(201);
    healthy.setSecrets([good.body.secret]);

    // Hundreds of deliveries pending to the hanging endpoints (each write fans out to all of them).
    for (let i = 0; i < WRITES_PER_HANGING_WORKSPACE; i++) {
      await rt.dynamo.send(
        new PutItemCommand({
          TableName: 'person',
          Item: { id: { S: `hang-${i}` }, workspaceId: { S: HANGING_WORKSPACE } },
        }),
      );
    }

    // The first jobs of each new hanging endpoint hold primary-lane slots until primaryLaneTimeoutMs (2 s);
    // the endpoint is marked slow once they are unanswered for primaryLaneSlowAfterMs (1 s), and from then
    // on its jobs bypass the primary lane. The healthy workspace starts writing as that first wave times
    // out, while all 256 jobs are still pending.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // The healthy workspace writes steadily meanwhile: the write time of each record, by its id.
    const writtenAt = new Map<string, number>();
    for (let i = 0; i < HEALTHY_WRITES; i++) {
      const id = `ok-${i}`;
      writtenAt.set(id, Date.now());
      await rt.dynamo.send(new PutItemCommand({ TableName: 'person', Item: { id: { S: id } } }));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // At-least-once: a duplicate (same webhook-id) may arrive; each record counts by its first receipt.
    const idOf = (request: { body: string }) =>
      (JSON.parse(request.body) as { data: { id: string } }).data.id;
    const firstReceipt = new Map<string, number>();
    const deadline = Date.now() + 30_000;
    while (firstReceipt.size < HEALTHY_WRITES && Date.now() < deadline) {
      for (const request of healthy.requests) {
        expect(request.verified).toBe(true);
        if (!firstReceipt.has(idOf(request))) firstReceipt.set(idOf(request), request.receivedAt);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(firstReceipt.size).toBe(HEALTHY_WRITES);
    const received = healthy.requests;
    const latencies = [...firstReceipt].map(([id, at]) => at - (writtenAt.get(id) ?? Number.NaN));
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length * 0.5)] ?? Number.NaN;
    const p95 = sorted[Math.ceil(sorted.length * 0.95) - 1] ?? Number.NaN;

    // Every hanging job retries on schedule and ends in its webhook's dead-letter index: none lost.
    const index = new DeadLetterIndex(rt.dynamo, LOCAL_TABLE_NAMES.deliveryLog);
    const expectedDead = HANGING_ENDPOINTS * WRITES_PER_HANGING_WORKSPACE;
    const settled = await waitUntil(
      async () => {
        let dead = 0;
        for (const id of hangingIds) dead += (await index.list(id, { limit: 100 })).items.length;
        return { dead, outstanding: await rt.deliveriesOutstanding() };
      },
      (s) => s.dead === expectedDead && s.outstanding === 0,
      120_000,
      `all ${expectedDead} hanging jobs dead-lettered`,
    );
    const attempts = (await Promise.all(hangingIds.slice(0, 4).map((id) => rt.attemptsOf(id)))).flat();
    printFigures('hanging endpoints isolation', {
      hangingEndpoints: HANGING_ENDPOINTS,
      hangingJobs: expectedDead,
      healthyDeliveries: firstReceipt.size,
      healthyDuplicates: received.length - firstReceipt.size,
      healthyP50Ms: p50,
      healthyP95Ms: p95,
      healthyMaxMs: sorted.at(-1) ?? Number.NaN,
      deadLettered: settled.dead,
      sqsRuleViolations: rt.runtime.sqsGuard.violations.length,
    });

    expect(p95).toBeLessThanOrEqual(3_000);
    expect(settled).toEqual({ dead: expectedDead, outstanding: 0 });
    // A first attempt cut short in the primary lane is logged, and the same attempt goes on in the slow lane.
    const cutShort = attempts.filter((a) => a.error?.startsWith('no answer in the primary lane'));
    for (const a of cutShort) expect([a.attempt, a.outcome, a.cause]).toEqual([1, 'failed', 'timeout']);
    // Each dead letter went through every attempt (timeouts or circuit-open), in order.
    const byDelivery = new Map<string, number[]>();
    for (const attempt of attempts.filter((a) => !cutShort.includes(a))) {
      byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt.attempt]);
    }
    for (const numbers of byDelivery.values()) expect(numbers.sort()).toEqual([1, 2, 3]);
    expect(attempts.filter((a) => a.outcome === 'dead-lettered')).toHaveLength(
      4 * WRITES_PER_HANGING_WORKSPACE,
    );
    expect(rt.runtime.sqsGuard.violations).toEqual([]);
  }, 240_000);
});
