import { defineConfig } from 'vitest/config';

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
          exclude: ['test/iam/**'],
          globalSetup: ['test/helpers/globalSetup.ts'],
          // Records the functions' SDK calls for the IAM check (test/iam); first, so it precedes every client.
          setupFiles: ['test/iam/vitestSetup.ts'],
        },
      },
      {
        // The IAM check evaluates the calls the suites recorded, so it runs once they are all done.
        extends: true,
        test: {
          name: 'iam',
          include: ['test/iam/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
