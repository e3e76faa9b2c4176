import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:soak`: the load scenarios of test/reliability at soak sizes. Override them with
 * `SOAK_WRITES=5000 SOAK_WEBHOOKS=8 npm run test:soak` (and `CHAOS_SEED` to replay a chaos run).
 */
const { projects: _projects, ...shared } = base.test ?? {};

export default defineConfig({
  test: {
    ...shared,
    globalSetup: ['test/helpers/globalSetup.ts'],
    include: [
      'test/reliability/chaosDelivery.test.ts',
      'test/reliability/crashesMidBatch.test.ts',
      'test/reliability/restartSafety.test.ts',
    ],
    env: {
      ...shared.env,
      SOAK_WRITES: process.env.SOAK_WRITES ?? '2000',
      SOAK_WEBHOOKS: process.env.SOAK_WEBHOOKS ?? '5',
    },
    // One scenario at a time: each runs the whole pipeline in its worker and wants both cores.
    maxWorkers: 1,
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
});
