import { describe, expect, it } from 'vitest';
import { sampledDeliveryLog } from '../../../../functions/delivery/sampledDeliveryLog';
import type { DeliveryAttempt } from '../../../../shared/domain/delivery/deliveryAttempt';
import { seededRandom } from '../../../helpers/seededRandom';

function attempt(outcome: DeliveryAttempt['outcome'], i: number): DeliveryAttempt {
  return {
    webhookId: 'wh_1',
    deliveryId: `msg_${i}`,
    eventId: `evt_${i}`,
    event: 'person.created',
    attempt: 1,
    outcome,
    durationMs: 12,
    attemptedAt: '2026-12-04T00:00:00.000Z',
  } as DeliveryAttempt;
}

function recordingLog() {
  const written: DeliveryAttempt[][] = [];
  return {
    written,
    log: {
      async recordBatch(attempts: readonly DeliveryAttempt[]) {
        written.push([...attempts]);
        return { unprocessed: [] };
      },
    },
  };
}

describe('sampledDeliveryLog', () => {
  it('at rate 1 is the log itself', () => {
    const { log } = recordingLog();
    expect(sampledDeliveryLog(log, 1)).toBe(log);
  });

  it('writes all failures and about rate x successes', async () => {
    const { log, written } = recordingLog();
    const sampled = sampledDeliveryLog(log, 0.1, seededRandom(7));
    const batch = Array.from({ length: 10_000 }, (_, i) =>
      attempt(i % 100 === 0 ? 'failed' : 'delivered', i),
    );
    await sampled.recordBatch(batch, 30);
    const kept = written.flat();
    expect(kept.filter((a) => a.outcome === 'failed')).toHaveLength(100);
    const successes = kept.filter((a) => a.outcome === 'delivered').length;
    expect(successes).toBeGreaterThan(800);
    expect(successes).toBeLessThan(1180);
  });

  it('makes no write when nothing of a batch is kept', async () => {
    const { log, written } = recordingLog();
    const result = await sampledDeliveryLog(log, 0, Math.random).recordBatch([attempt('delivered', 1)], 30);
    expect(result).toEqual({ unprocessed: [] });
    expect(written).toEqual([]);
  });
});
