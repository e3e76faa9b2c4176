import { describe, expect, it } from 'vitest';
import { RecentlyEnqueuedJobs } from '../../../../functions/event-mapper/recentlyEnqueuedJobs';

describe('RecentlyEnqueuedJobs', () => {
  it('remembers events up to its bound, forgetting the oldest first', () => {
    const recent = new RecentlyEnqueuedJobs(2);
    recent.add('evt_a', ['wh_1']);
    recent.add('evt_b', ['wh_1', 'wh_2']);
    expect(['evt_a', 'evt_b', 'evt_c'].map((id) => recent.enqueuedWebhooks(id))).toEqual([
      ['wh_1'],
      ['wh_1', 'wh_2'],
      undefined,
    ]);
    recent.add('evt_c', ['wh_3']);
    expect(['evt_a', 'evt_b', 'evt_c'].map((id) => recent.enqueuedWebhooks(id))).toEqual([
      undefined,
      ['wh_1', 'wh_2'],
      ['wh_3'],
    ]);
  });

  it('adds the webhooks of a later try of the same event without taking a new slot', () => {
    const recent = new RecentlyEnqueuedJobs(2);
    recent.add('evt_a', ['wh_1']);
    recent.add('evt_a', ['wh_1', 'wh_2']);
    recent.add('evt_b', []);
    recent.add('evt_c', ['wh_9']);
    expect(recent.enqueuedWebhooks('evt_a')).toEqual(['wh_1', 'wh_2']);
    expect(recent.enqueuedWebhooks('evt_b')).toBeUndefined();
    expect(recent.enqueuedWebhooks('evt_c')).toEqual(['wh_9']);
  });

  it('remembers nothing with a bound of 0', () => {
    const recent = new RecentlyEnqueuedJobs(0);
    recent.add('evt_a', ['wh_1']);
    expect(recent.enqueuedWebhooks('evt_a')).toBeUndefined();
  });
});
