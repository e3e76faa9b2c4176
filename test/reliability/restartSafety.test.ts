import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureVerifyingReceiver } from '../helpers/signatureVerifyingReceiver';
import { writeCrmRecords } from './crmWrites';
import { accountFor, DeliveryLedger, pairKey, printFigures } from './deliveryLedger';
import { createLedgerWebhooks } from './ledgerWebhooks';
import { type ReliabilityRuntime, startReliabilityRuntime, waitUntil } from './reliabilityRuntime';
import { soakSizes } from './soakSizes';

const { writes: WRITES, webhooks: WEBHOOKS, timeoutMs: TIMEOUT_MS } = soakSizes({ writes: 240, webhooks: 2 });
const RESTARTS = 3;
const VISIBILITY_TIMEOUT_SECONDS = 120;
const TABLES = ['person', 'company', 'note'];

describe(`restart safety: pollers stopped and restarted ${RESTARTS} times mid-stream`, () => {
  let rt: ReliabilityRuntime;
  const receivers: SignatureVerifyingReceiver[] = [];
  const ledger = new DeliveryLedger();

  beforeAll(async () => {
    // A batch dropped by a pause would reappear only after this long: far beyond any normal latency.
    rt = await startReliabilityRuntime({ visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await rt?.stop();
  }, 60_000);

  it(
    'delivers every event written before, during and after each pause: none skipped',
    async () => {
      const webhookIds = await createLedgerWebhooks(rt, receivers, {
        count: WEBHOOKS,
        respond: (webhookId, request) => {
          ledger.note(webhookId, request, 'ok');
          return { status: 200 };
        },
      });

      const started = Date.now();
      const chunk = Math.ceil(WRITES / (RESTARTS + 1));
      const written = [];
      let writtenWhilePaused = 0;
      for (let round = 0; round <= RESTARTS; round++) {
        // Writes go on while the pollers run; the pause comes once part of them has been delivered.
        const writing = writeCrmRecords(rt.dynamo, {
          count: chunk,
          tables: TABLES,
          idPrefix: 'restart',
          startAt: round * chunk,
          concurrency: 4,
        });
        if (round === RESTARTS) {
          written.push(...(await writing));
          break;
        }
        const target = (round * chunk + chunk / 2) * WEBHOOKS;
        await waitUntil(
          () => ledger.entries.length,
          (n) => n >= target,
          30_000,
          'deliveries before the pause',
        );
        await rt.runtime.pausePollers();
        const seenAtPause = ledger.entries.length;
        // Records written while nothing reads the streams.
        const duringPause = await writeCrmRecords(rt.dynamo, {
          count: 10,
          tables: TABLES,
          idPrefix: `paused-${round}`,
        });
        writtenWhilePaused += duringPause.length;
        written.push(...(await writing), ...duringPause);
        await new Promise((r) => setTimeout(r, 1_000));
        // Paused means paused: nothing was delivered meanwhile.
        expect(ledger.entries.length).toBe(seenAtPause);
        rt.runtime.resumePollers();
      }

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
        `all ${expectedPairs.size} pairs delivered after the restarts`,
      );
      const durationMs = Date.now() - started;
      const deadLetters = await rt.drainDeadLetters();
      const attempts = (await Promise.all(webhookIds.map((id) => rt.attemptsOf(id)))).flat();
      const figures = accountFor({ ledger, expectedPairs, deadLetters, attempts });
      const firstReceipt = new Map<string, number>();
      for (const entry of ledger.entries) {
        firstReceipt.set(
          entry.pair,
          Math.min(firstReceipt.get(entry.pair) ?? Number.POSITIVE_INFINITY, entry.receivedAt),
        );
      }
      let maxLatencyMs = 0;
      for (const record of written) {
        for (const id of webhookIds) {
          const at = firstReceipt.get(pairKey(id, `${record.object}.created`, record.id));
          if (at !== undefined) maxLatencyMs = Math.max(maxLatencyMs, at - record.writtenAt);
        }
      }
      printFigures('restart safety', {
        restarts: RESTARTS,
        events: written.length,
        writtenWhilePaused,
        expected: figures.expected,
        delivered: figures.delivered,
        dlq: figures.deadLettered,
        duplicates: figures.duplicates,
        maxLatencyMs,
        streamRecordsRead: rt.runtime.counters.snapshot().events,
        durationMs,
      });
      expect(figures.violations).toEqual([]);
      expect(figures.delivered).toBe(expectedPairs.size);
      // The streams resumed from their checkpoints: each record was handed to the mapper exactly once.
      expect(rt.runtime.counters.snapshot().events).toBe(written.length);
      // No job sat out a visibility timeout: a pause did not drop a batch the queue had handed out.
      expect(maxLatencyMs).toBeLessThan((VISIBILITY_TIMEOUT_SECONDS * 1000) / 2);
      expect(rt.pollErrors.map(String)).toEqual([]);
    },
    TIMEOUT_MS + 60_000,
  );
});
