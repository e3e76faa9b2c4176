/** The cold-start benchmark's function environment: every bundle it imports must parse its config from it. */

import { describe, expect, it } from 'vitest';
import { FUNCTION_ENV } from '../../../../bench/benchmarks/coldStart';
import { loadDeliveryConfig } from '../../../../functions/delivery/config';
import { loadEventMapperConfig } from '../../../../functions/event-mapper/config';
import { loadSubscriptionsApiConfig } from '../../../../functions/subscriptions-api/config';

describe('cold-start benchmark environment', () => {
  // A function whose config gains a required variable fails at import in the benchmark, which no
  // quick test runs (it is not part of `--smoke`): this catches it in `npm test`.
  it.each([
    ['delivery', loadDeliveryConfig],
    ['event-mapper', loadEventMapperConfig],
    ['subscriptions-api', loadSubscriptionsApiConfig],
  ] as const)('holds every variable the %s function requires', (_name, load) => {
    expect(() => load({ ...FUNCTION_ENV })).not.toThrow();
  });
});
