import { describe, expect, it } from 'vitest';
import { RecentlyEnqueuedJobs } from '../../../functions/event-mapper/recentlyEnqueuedJobs';

describe('RecentlyEnqueuedJobs', () => {
  it('remembers delivery ids up to its bound, forgetting the oldest first', () => {
    const recent = new RecentlyEnqueuedJobs(2);
    recent.add('msg_a');
    recent.add('msg_b');
    expect([recent.has('msg_a'), recent.has('msg_b'), recent.has('msg_c')]).toEqual([true, true, false]);
    recent.add('msg_c');
    expect([recent.has('msg_a'), recent.has('msg_b'), recent.has('msg_c')]).toEqual([false, true, true]);
  });
});
