/** Loading the product's handlers for the local runtime: a second runtime in one process gets fresh ones. */

import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENV } from '../../../../bench/benchmarks/coldStart';
import { importProductHandlers } from '../../../../infra/local/localRuntime';

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

describe('importProductHandlers', () => {
  it('evaluates the entry modules again for a second runtime, against the environment as it is then', async () => {
    Object.assign(process.env, FUNCTION_ENV);
    const first = await importProductHandlers();
    const second = await importProductHandlers();
    expect(second.delivery).not.toBe(first.delivery);
    expect(second.eventMapper).not.toBe(first.eventMapper);
    expect(second.api).not.toBe(first.api);

    // A third import reads the environment again: without a required variable its config is refused.
    delete process.env.SLOW_LANE_QUEUE_URL;
    await expect(importProductHandlers()).rejects.toThrow(/SLOW_LANE_QUEUE_URL/);
  });
});
