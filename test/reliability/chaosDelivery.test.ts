import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/seededRandom';
import type { SignatureVerifyingReceiver } from '../helpers/signatureVerifyingReceiver';
import { writeCrmRecords } from './crmWrites';
import { accountFor, chaosResponder, DeliveryLedger, pairKey, printFigures } from './deliveryLedger';
import { createLedgerWebhooks } from './ledgerWebhooks';
import { type ReliabilityRuntime, startReliabilityRuntime, waitUntil } from './reliabilityRuntime';
import { soakSizes } from './soakSizes';

const { writes: WRITES, webhooks: WEBHOOKS, timeoutMs: TIMEOUT_MS } = soakSizes({ writes: 200, webhooks: 3 });
const MAX_ATTEMPTS = 4;
const REQUEST_TIMEOUT_MS = 2_000;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const TABLES = ['person', 'company', 'note'];

describe(`chaos delivery: ${WRITES} writes × ${WEBHOOKS} webhooks, receivers failing at random (seed ${SEED})`, () => {
  let rt: ReliabilityRuntime;
  const receivers: SignatureVerifyingReceiver[] = [];
  const ledger = new DeliveryLedger();

  beforeAll(async () => {
    rt = await startReliabilityRuntime({
      maxAttempts: MAX_ATTEMPTS,
      retryDelaysSeconds: '1,1,1',
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      // Lambda scales out on a busy queue; hung receivers would otherwise hold the few pollers.
      deliveryPollers: 16,
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await rt?.stop();
  }, 60_000);

  it(
    'ends with every (event, webhook) pair delivered or dead-lettered, never both',
    async () => {
      const random = seededRandom(SEED);
      const webhookIds = await createLedgerWebhooks(rt, receivers, {
        count: WEBHOOKS,
        respond: (webhookId, request) =>
          chaosResponder(ledger, webhookId, random, { hangMs: REQUEST_TIMEOUT_MS + 500 })(request),
        description: (i) => `chaos ${i}`,
      });

      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      const started = Date.now();
      const written = await writeCrmRecords(rt.dynamo, { count: WRITES, tables: TABLES, idPrefix: 'chaos' });
      const expectedPairs = new Set(
        written.flatMap((record) =>
          webhookIds.map((id) => pairKey(id, `${record.object}.created`, record.id)),
        ),
      );

      await waitUntil(
        async () => {
          await rt.runtime.refreshCounters();
          const { deadLettered } = rt.runtime.counters.snapshot();
          return {
            delivered: ledger.deliveredPairs().size,
            deadLettered,
            outstanding: await rt.deliveriesOutstanding(),
          };
        },
        (s) => s.outstanding === 0 && s.delivered + s.deadLettered >= expectedPairs.size,
        TIMEOUT_MS,
        `all ${expectedPairs.size} pairs settled`,
      );
      const durationMs = Date.now() - started;
      lag.disable();

      const deadLetters = await rt.drainDeadLetters();
      const attempts = (await Promise.all(webhookIds.map((id) => rt.attemptsOf(id)))).flat();
      const figures = accountFor({ ledger, expectedPairs, deadLetters, attempts });
      printFigures('chaos delivery', {
        seed: SEED,
        events: written.length,
        expected: figures.expected,
        delivered: figures.delivered,
        dlq: figures.deadLettered,
        requests: figures.requests,
        retries: figures.retries,
        duplicates: figures.duplicates,
        receivedButDeadLettered: figures.receivedButDeadLettered,
        maxEventLoopLagMs: Math.round(lag.max / 1e6),
        durationMs,
      });

      expect(figures.violations).toEqual([]);
      expect(figures.delivered + figures.deadLettered).toBe(expectedPairs.size);
      // With half of all answers failing, retries happened and some pairs ran out of attempts.
      expect(figures.retries).toBeGreaterThan(0);
      expect(rt.runtime.counters.snapshot().mapperFailures).toBe(0);
      // Every attempt is logged (some may have failed before reaching a receiver).
      expect(attempts.filter((a) => a.outcome !== 'skipped').length).toBeGreaterThanOrEqual(figures.requests);
    },
    TIMEOUT_MS + 30_000,
  );
});
