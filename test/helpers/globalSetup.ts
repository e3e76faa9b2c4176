import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/emulators/dynamoDbLocal';
import { freePort } from '../../infra/local/emulators/freePort';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/**
 * One DynamoDB Local (a Java child process) for the whole run; test files create their own uniquely
 * named tables on it and delete them afterwards. Stopped in teardown so no process outlives the tests.
 */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
