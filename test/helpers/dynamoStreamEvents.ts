import { randomUUID } from 'node:crypto';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { EventMapperConfig } from '../../functions/event-mapper/config';
import { createLambdaContext } from '../../infra/local/lambdaContext';
import { type CrmSourcesConfig, parseCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import type { Webhook } from '../../shared/domain/webhooks/webhook';

/**
 * Builders for the event mapper's inputs: Lambda's DynamoDB Streams event and context, the sources
 * config and the webhooks it fans out to. Records themselves come from `streamRecordFactories.ts`.
 */

export function streamEvent(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

export function mapperContext(): Context {
  return createLambdaContext({ functionName: 'event-mapper', timeoutMs: 60_000 });
}

/** One table per object (`person`, `company`) plus a single-table design (`crm`, object in `entityType`). */
export function testCrmSources(overrides: Partial<Record<string, unknown>> = {}): CrmSourcesConfig {
  return parseCrmSourcesConfig({
    crmTables: [
      { tableName: 'person', object: 'person' },
      { tableName: 'company', object: 'company' },
      { tableName: 'crm', objectAttribute: 'entityType' },
    ],
    ...overrides,
  });
}

export function mapperConfig(overrides: Partial<EventMapperConfig> = {}): EventMapperConfig {
  return {
    webhooksTable: 'webhooks',
    deliveriesQueueUrl: 'http://sqs.us-east-1.localhost/000000000000/deliveries',
    crmSources: testCrmSources(),
    webhookCacheTtlSeconds: 30,
    sqsMaxMessageBytes: 1_048_576,
    sendConcurrency: 8,
    ...overrides,
  };
}

/** A stored webhook; ids sort in creation order so tests can predict fan-out order. */
let webhookCounter = 0;
export function webhookItem(overrides: Partial<Webhook> & { workspaceId: string }): Webhook {
  webhookCounter += 1;
  const id = overrides.id ?? `wh_${String(webhookCounter).padStart(4, '0')}_${randomUUID().slice(0, 8)}`;
  return {
    id,
    targetUrl: 'https://receiver.example.com/hooks',
    operations: ['*.*'],
    payloadFormat: 'default',
    status: 'active',
    createdAt: '2026-11-27T12:00:00.000Z',
    updatedAt: '2026-11-27T12:00:00.000Z',
    secretName: `crm-webhooks/${overrides.workspaceId}/${id}`,
    secretVersionId: 'v1',
    version: 1,
    ...overrides,
  };
}
