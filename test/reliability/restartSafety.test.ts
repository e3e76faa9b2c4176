import { describe, expect, it } from 'vitest';
import { DeliveryLedger, pairKey, printFigures } from './deliveryLedger';
import { waitUntil } from './reliabilityRuntime';
import {
  accountForRun,
  createLedgerWebhooks,
  expectedCreatedPairs,
  SOAK_TABLES,
  soakSizes,
  useSoakRuntime,
  waitUntilSettled,
  writeCrmRecords,
} from './soakScenario';

const { writes: WRITES, webhooks: WEBHOOKS, timeoutMs: TIMEOUT_MS } = soakSizes({ writes: 240, webhooks: 2 });
const RESTARTS = 3;
const VISIBILITY_TIMEOUT_SECONDS = 120;

describe(`restart safety: pollers stopped and restarted ${RESTARTS} times mid-stream`, () => {
  // A batch dropped by a pause would reappear only after this long: far beyond any normal latency.
  const scenario = useSoakRuntime(() => ({ visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS }));
  const ledger = new DeliveryLedger();

  it(
    'delivers every event written before, during and after each pause: none skipped',
    async () => {
      const { rt, receivers } = scenario;
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
          tables: SOAK_TABLES,
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
          tables: SOAK_TABLES,
          idPrefix: `paused-${round}`,
        });
        writtenWhilePaused += duringPause.length;
        written.push(...(await writing), ...duringPause);
        await new Promise((r) => setTimeout(r, 1_000));
        // Paused means paused: nothing was delivered meanwhile.
        expect(ledger.entries.length).toBe(seenAtPause);
        rt.runtime.resumePollers();
      }

      const expectedPairs = expectedCreatedPairs(written, webhookIds);
      await waitUntilSettled(rt, ledger, expectedPairs, TIMEOUT_MS);
      const durationMs = Date.now() - started;
      const { figures } = await accountForRun(rt, ledger, webhookIds, expectedPairs);
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
