import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/seededRandom';
import { DeliveryLedger, printFigures } from './deliveryLedger';
import { type CrashCounts, withCrashes } from './faultInjection';
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
const SEED = scenarioSeed();

describe(`crashes mid-batch: mapper and delivery invocations die partway (seed ${SEED})`, () => {
  const ledger = new DeliveryLedger();
  let crashes: { mapper: CrashCounts; delivery: CrashCounts } | undefined;
  const scenario = useSoakRuntime(() => {
    const random = seededRandom(SEED);
    return {
      requestTimeoutMs: 1_000,
      // Short function timeout and visibility timeout: crashed jobs come back within seconds.
      deliveryTimeoutSeconds: 5,
      visibilityTimeoutSeconds: 7,
      deliveryPollers: 8,
      wrapHandlers: (handlers) => {
        // The mapper sees few, large batches: its first one always crashes, so every run covers it.
        let mapperCalls = 0;
        const wrapped = withCrashes(handlers, {
          mapperShouldCrash: () => mapperCalls++ === 0 || random() < 0.5,
          deliveryShouldCrash: () => random() < 0.35,
        });
        crashes = wrapped;
        return wrapped.handlers;
      },
    };
  });

  it(
    'loses nothing: every pair is delivered, duplicates carry the same webhook-id',
    async () => {
      const { rt, receivers } = scenario;
      const webhookIds = await createLedgerWebhooks(rt, receivers, {
        count: WEBHOOKS,
        respond: (webhookId, request) => {
          ledger.note(webhookId, request, 'ok');
          return { status: 204 };
        },
      });

      const started = Date.now();
      const written = await writeCrmRecords(rt.dynamo, {
        count: WRITES,
        tables: SOAK_TABLES,
        idPrefix: 'crash',
      });
      const expectedPairs = expectedCreatedPairs(written, webhookIds);
      await waitUntilSettled(rt, ledger, expectedPairs, TIMEOUT_MS);
      const durationMs = Date.now() - started;

      const { figures } = await accountForRun(rt, ledger, webhookIds, expectedPairs);
      const mapperCrashes = Object.values(crashes?.mapper.crashes ?? {}).reduce((a, b) => a + b, 0);
      const deliveryCrashes = Object.values(crashes?.delivery.crashes ?? {}).reduce((a, b) => a + b, 0);
      printFigures('crashes mid-batch', {
        seed: SEED,
        events: written.length,
        expected: figures.expected,
        delivered: figures.delivered,
        dlq: figures.deadLettered,
        requests: figures.requests,
        duplicates: figures.duplicates,
        mapperInvocations: crashes?.mapper.invocations ?? 0,
        mapperCrashes,
        deliveryInvocations: crashes?.delivery.invocations ?? 0,
        deliveryCrashes: JSON.stringify(crashes?.delivery.crashes),
        durationMs,
      });

      expect(figures.violations).toEqual([]);
      expect(figures.delivered).toBe(expectedPairs.size);
      expect(figures.deadLettered).toBe(0);
      // The faults really happened, on both functions, and nothing went to the mapper's failure destination.
      expect(mapperCrashes).toBeGreaterThan(0);
      expect(deliveryCrashes).toBeGreaterThan(0);
      expect(rt.runtime.counters.snapshot().mapperFailures).toBe(0);
    },
    TIMEOUT_MS + 30_000,
  );
});
