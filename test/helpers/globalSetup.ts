import { mkdirSync, rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/emulators/dynamoDbLocal';
import { freePort } from '../../infra/local/emulators/freePort';
import { RECORDED_CALLS_DIR } from '../iam/sdkCallRecorder';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/**
 * Empties the directory where test processes record the functions' SDK calls (see test/iam), then
 * starts one DynamoDB Local (a Java child process) for the whole run; test files create their own uniquely
 * named tables on it and delete them afterwards. Stopped in teardown so no process outlives the tests.
 */
export default async function setup(project: TestProject) {
  // The IAM check evaluates the SDK calls of this run only.
  rmSync(RECORDED_CALLS_DIR, { recursive: true, force: true });
  mkdirSync(RECORDED_CALLS_DIR, { recursive: true });
  return startSharedDynamoDbLocal(project);
}

/** One DynamoDB Local for a project's test files, provided as `dynamoDbEndpoint`; returns the teardown. */
export async function startSharedDynamoDbLocal(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
