import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/seededRandom';
import { chaosResponder, DeliveryLedger, printFigures } from './deliveryLedger';
import {
  accountForRun,
  createLedgerWebhooks,
  expectedCreatedPairs,
  SOAK_TABLES,
  scenarioSeed,
  soakSizes,
  useSoakRuntime,
  waitUntilSettled,
  writeCrmRecords,
} from './soakScenario';

const { writes: WRITES, webhooks: WEBHOOKS, timeoutMs: TIMEOUT_MS } = soakSizes({ writes: 200, webhooks: 3 });
const MAX_ATTEMPTS = 4;
const REQUEST_TIMEOUT_MS = 2_000;
const SEED = scenarioSeed();

describe(`chaos delivery: ${WRITES} writes × ${WEBHOOKS} webhooks, receivers failing at random (seed ${SEED})`, () => {
  const scenario = useSoakRuntime(() => ({
    maxAttempts: MAX_ATTEMPTS,
    retryDelaysSeconds: '1,1,1',
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    // This test is about retries and the dead-letter queue under random failures. Failing at random,
    // every receiver would open its breaker within seconds, and each job coming due during the 30 s
    // cooldown then counts a `circuit-open` attempt without a request (by design, docs/delivery.md): with
    // 1 s retries nearly every pair would be dead-lettered without ever being retried. The breaker has
    // its own tests (hangingEndpointsIsolation, deliverJob's unit tests, the scale simulation).
    breakerFailureThreshold: 1000,
    // Lambda scales out on a busy queue; hung receivers would otherwise hold the few pollers.
    deliveryPollers: 16,
  }));
  const ledger = new DeliveryLedger();

  it(
    'ends with every (event, webhook) pair delivered or dead-lettered, never both',
    async () => {
      const { rt, receivers } = scenario;
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
      const written = await writeCrmRecords(rt.dynamo, {
        count: WRITES,
        tables: SOAK_TABLES,
        idPrefix: 'chaos',
      });
      const expectedPairs = expectedCreatedPairs(written, webhookIds);

      await waitUntilSettled(rt, ledger, expectedPairs, TIMEOUT_MS);
      const durationMs = Date.now() - started;
      lag.disable();

      const { figures, attempts } = await accountForRun(rt, ledger, webhookIds, expectedPairs);
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
