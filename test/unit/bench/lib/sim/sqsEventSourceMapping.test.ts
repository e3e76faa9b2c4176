import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../../../bench/lib/sim/eventQueue';
import { LambdaConcurrency } from '../../../../../bench/lib/sim/lambdaConcurrency';
import {
  INITIAL_CONCURRENT_BATCHES,
  type SqsEventSourceMapping as Mapping,
  SqsEventSourceMapping,
} from '../../../../../bench/lib/sim/sqsEventSourceMapping';
import { SqsStandardQueue } from '../../../../../bench/lib/sim/sqsStandardQueue';

/** A backlog that never empties, and a function that takes `handlerMs` per batch. */
function saturated(options: { maxConcurrency: number; handlerMs: number; accountLimit?: number }) {
  const events = new EventQueue();
  const queue = new SqsStandardQueue<number>('q', events, { visibilityTimeoutSeconds: 3600 });
  const account = new LambdaConcurrency(options.accountLimit ?? 100_000);
  let running = 0;
  let peakRunning = 0;
  const mapping: Mapping<number> = new SqsEventSourceMapping(
    events,
    queue,
    account,
    { batchSize: 10, maxConcurrency: options.maxConcurrency, invokeOverheadMs: 0 },
    (_batch, done) => {
      running += 1;
      peakRunning = Math.max(peakRunning, running);
      events.after(options.handlerMs, () => {
        running -= 1;
        done([]);
      });
    },
  );
  const refill = () => {
    if (queue.visibleCount < 100_000)
      queue.sendBatch(Array.from({ length: 20_000 }, (_, i) => ({ body: i, delaySeconds: 0 })));
    events.after(1000, refill);
  };
  events.at(0, refill);
  mapping.start();
  return { events, queue, mapping, account, running: () => running, peak: () => peakRunning };
}

describe('SqsEventSourceMapping (Lambda scaling for SQS)', () => {
  it('starts with 5 concurrent batches and adds 300 per minute while messages wait', () => {
    const s = saturated({ maxConcurrency: 1000, handlerMs: 5000 });
    s.events.runUntil(500);
    expect(s.running()).toBe(INITIAL_CONCURRENT_BATCHES);
    s.events.runUntil(60_500);
    expect(s.mapping.concurrency).toBe(INITIAL_CONCURRENT_BATCHES + 300);
    expect(s.running()).toBe(INITIAL_CONCURRENT_BATCHES + 300);
  });

  it('never runs more batches than the maximum concurrency, nor than 1,000 per mapping', () => {
    const capped = saturated({ maxConcurrency: 50, handlerMs: 5000 });
    capped.events.runUntil(120_000);
    expect(capped.peak()).toBe(50);
    const unlimited = saturated({ maxConcurrency: 5000, handlerMs: 5000 });
    unlimited.events.runUntil(220_000);
    expect(unlimited.peak()).toBe(1000);
  });

  it('holds each batch in flight for the whole invocation, then deletes the messages not reported failed', () => {
    const events = new EventQueue();
    const queue = new SqsStandardQueue<number>('q', events, { visibilityTimeoutSeconds: 3600 });
    queue.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: i, delaySeconds: 0 })));
    const mapping = new SqsEventSourceMapping(
      events,
      queue,
      new LambdaConcurrency(10),
      { batchSize: 10, maxConcurrency: 2, invokeOverheadMs: 0 },
      (batch, done) => events.after(1000, () => done(batch.filter((m) => m.body < 3))),
    );
    mapping.start();
    events.runUntil(999);
    expect(queue.inFlight).toBe(10);
    events.runUntil(1000);
    expect(queue.inFlight).toBe(3);
    expect(mapping.invocations).toBe(1);
    expect(mapping.billedMs).toBe(1000);
  });

  it('is throttled by the account concurrency shared with other functions', () => {
    const s = saturated({ maxConcurrency: 1000, handlerMs: 5000, accountLimit: 100 });
    s.events.runUntil(60_000);
    expect(s.peak()).toBe(100);
    expect(s.account.throttles).toBeGreaterThan(0);
  });
});
