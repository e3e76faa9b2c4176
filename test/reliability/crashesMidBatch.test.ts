import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/seededRandom';
import type { SignatureVerifyingReceiver } from '../helpers/signatureVerifyingReceiver';
import { writeCrmRecords } from './crmWrites';
import { accountFor, DeliveryLedger, pairKey, printFigures } from './deliveryLedger';
import { type CrashCounts, withCrashes } from './faultInjection';
import { createLedgerWebhooks } from './ledgerWebhooks';
import { type ReliabilityRuntime, startReliabilityRuntime, waitUntil } from './reliabilityRuntime';
import { soakSizes } from './soakSizes';

const { writes: WRITES, webhooks: WEBHOOKS, timeoutMs: TIMEOUT_MS } = soakSizes({ writes: 200, webhooks: 3 });
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const TABLES = ['person', 'company', 'note'];

describe(`crashes mid-batch: mapper and delivery invocations die partway (seed ${SEED})`, () => {
  let rt: ReliabilityRuntime;
  const receivers: SignatureVerifyingReceiver[] = [];
  const ledger = new DeliveryLedger();
  let crashes: { mapper: CrashCounts; delivery: CrashCounts } | undefined;

  beforeAll(async () => {
    const random = seededRandom(SEED);
    rt = await startReliabilityRuntime({
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
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await rt?.stop();
  }, 60_000);

  it(
    'loses nothing: every pair is delivered, duplicates carry the same webhook-id',
    async () => {
      const webhookIds = await createLedgerWebhooks(rt, receivers, {
        count: WEBHOOKS,
        respond: (webhookId, request) => {
          ledger.note(webhookId, request, 'ok');
          return { status: 204 };
        },
      });

      const started = Date.now();
      const written = await writeCrmRecords(rt.dynamo, { count: WRITES, tables: TABLES, idPrefix: 'crash' });
      const expectedPairs = new Set(
        written.flatMap((record) =>
          webhookIds.map((id) => pairKey(id, `${record.object}.created`, record.id)),
        ),
      );
      await waitUntil(
        async () => ({
          delivered: ledger.deliveredPairs().size,
          outstanding: await rt.deliveriesOutstanding(),
        }),
        (s) => s.outstanding === 0 && s.delivered >= expectedPairs.size,
        TIMEOUT_MS,
        `all ${expectedPairs.size} pairs delivered`,
      );
      const durationMs = Date.now() - started;

      const deadLetters = await rt.drainDeadLetters();
      const attempts = (await Promise.all(webhookIds.map((id) => rt.attemptsOf(id)))).flat();
      const figures = accountFor({ ledger, expectedPairs, deadLetters, attempts });
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
