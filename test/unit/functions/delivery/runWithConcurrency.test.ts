import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runWithConcurrency } from '../../../../functions/delivery/runWithConcurrency';

describe('runWithConcurrency', () => {
  it('never runs more than `concurrency` tasks at once and keeps results in input order', async () => {
    let running = 0;
    let peak = 0;
    const results = await runWithConcurrency([30, 5, 20, 1, 10, 2, 15, 3], {
      concurrency: 3,
      work: async (ms, index) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(ms);
        running--;
        return index;
      },
    });
    expect(peak).toBe(3);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((value) => ({ status: 'done', value })));
  });

  it('stops starting tasks once canStart says no', async () => {
    let started = 0;
    const results = await runWithConcurrency([1, 2, 3, 4, 5], {
      concurrency: 1,
      canStart: () => started < 2,
      work: async (value) => {
        started++;
        return value;
      },
    });
    expect(results.map((result) => result.status)).toEqual([
      'done',
      'done',
      'not-started',
      'not-started',
      'not-started',
    ]);
  });

  it('returns at giveUpAt with unfinished tasks marked', async () => {
    const started = Date.now();
    const results = await runWithConcurrency([10, 5_000, 10], {
      concurrency: 3,
      giveUpAt: Date.now() + 200,
      work: async (ms) => {
        await sleep(ms);
        return ms;
      },
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(results).toEqual([
      { status: 'done', value: 10 },
      { status: 'unfinished' },
      { status: 'done', value: 10 },
    ]);
  });

  it('handles an empty batch', async () => {
    expect(await runWithConcurrency([], { concurrency: 4, work: async () => 1 })).toEqual([]);
  });
});
