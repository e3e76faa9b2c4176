import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests that assert latency bounds (a lone write within 1 s, a healthy p95 within 3 s beside
 * hanging endpoints, a rate limit's spacing). They run after the other suites, one file at a time, so the
 * bound they check is the pipeline's and not the CPU another test file happens to take on a 2-core machine.
 */
const TIMING_SENSITIVE = [
  'test/e2e/pipeline.test.ts',
  'test/e2e/hangingEndpointsIsolation.test.ts',
  'test/e2e/deliveryLimits.test.ts',
];

export default defineConfig({
  test: {
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suites',
          include: ['test/**/*.test.ts'],
          exclude: ['test/iam/**', ...TIMING_SENSITIVE],
          globalSetup: ['test/helpers/globalSetup.ts'],
          // Records the functions' SDK calls for the IAM check (test/iam); first, so it precedes every client.
          setupFiles: ['test/iam/vitestSetup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: TIMING_SENSITIVE,
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          // Its own DynamoDB Local; it keeps the SDK calls the suites recorded (the IAM check reads both).
          globalSetup: ['test/helpers/globalSetupKeepingRecordings.ts'],
          setupFiles: ['test/iam/vitestSetup.ts'],
        },
      },
      {
        // The IAM check evaluates the calls the suites recorded, so it runs once they are all done.
        extends: true,
        test: {
          name: 'iam',
          include: ['test/iam/**/*.test.ts'],
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
