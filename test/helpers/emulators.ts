import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** The run's shared DynamoDB Local endpoint (started by globalSetup). */
export function dynamoDbEndpoint(): string {
  return inject('dynamoDbEndpoint');
}

/** A table name unique to this test file and run, so files never share tables. */
export function uniqueTableName(base: string): string {
  return `${base}-${randomUUID().slice(0, 8)}`;
}
