import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect } from 'vitest';
import { installSdkCallRecorder, RECORDED_CALLS_DIR } from './sdkCallRecorder';

/**
 * Setup file of the "suites" project: records the functions' SDK calls for the IAM check (before any
 * test module creates an SDK client) and which test files ran, so the check knows whether the run
 * included the suites that exercise every function.
 */
installSdkCallRecorder();

beforeAll(() => {
  const testPath = expect.getState().testPath;
  if (testPath && existsSync(RECORDED_CALLS_DIR)) {
    appendFileSync(join(RECORDED_CALLS_DIR, 'test-files.txt'), `${testPath}\n`);
  }
});
