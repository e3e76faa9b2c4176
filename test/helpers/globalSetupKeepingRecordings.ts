import { mkdirSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { RECORDED_CALLS_DIR } from '../iam/sdkCallRecorder';
import { startSharedDynamoDbLocal } from './globalSetup';

/**
 * The global setup of the `timing` project (vitest.config.ts): a DynamoDB Local of its own, without
 * emptying the SDK calls the `suites` project recorded, whichever project's setup vitest runs first.
 */
export default async function setup(project: TestProject) {
  mkdirSync(RECORDED_CALLS_DIR, { recursive: true });
  return startSharedDynamoDbLocal(project);
}
