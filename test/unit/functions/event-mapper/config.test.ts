import { describe, expect, it } from 'vitest';
import { loadEventMapperConfig } from '../../../../functions/event-mapper/config';

const sources = JSON.stringify({
  crmTables: [
    { tableName: 'person', object: 'person' },
    { tableName: 'crm', objectAttribute: 'entityType' },
  ],
});

const baseEnv = {
  WEBHOOKS_TABLE: 'webhooks',
  DELIVERIES_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries',
  CRM_SOURCES_CONFIG: sources,
};

describe('loadEventMapperConfig', () => {
  it('reads the required variables and applies the defaults', () => {
    const config = loadEventMapperConfig(baseEnv);
    expect(config).toEqual({
      webhooksTable: 'webhooks',
      deliveriesQueueUrl: baseEnv.DELIVERIES_QUEUE_URL,
      crmSources: {
        crmTables: [
          { tableName: 'person', object: 'person' },
          { tableName: 'crm', objectAttribute: 'entityType' },
        ],
        workspaceIdAttribute: 'workspaceId',
        idAttribute: 'id',
        softDeleteAttribute: 'deletedAt',
      },
      webhookCacheTtlSeconds: 30,
      sqsMaxMessageBytes: 1_048_576,
      sendConcurrency: 8,
    });
  });

  it('takes the optional settings from the environment', () => {
    const config = loadEventMapperConfig({
      ...baseEnv,
      WEBHOOK_CACHE_TTL_SECONDS: '0',
      SQS_MAX_MESSAGE_BYTES: '262144',
      SEND_CONCURRENCY: '2',
    });
    expect(config).toMatchObject({
      webhookCacheTtlSeconds: 0,
      sqsMaxMessageBytes: 262_144,
      sendConcurrency: 2,
    });
  });

  it.each([
    [{ WEBHOOKS_TABLE: undefined }, /WEBHOOKS_TABLE is required/],
    [{ DELIVERIES_QUEUE_URL: '' }, /DELIVERIES_QUEUE_URL is required/],
    [{ CRM_SOURCES_CONFIG: undefined }, /CRM_SOURCES_CONFIG is required/],
    [{ CRM_SOURCES_CONFIG: '{not json' }, /CRM_SOURCES_CONFIG is not JSON/],
    [
      { CRM_SOURCES_CONFIG: '{"crmTables":[{"tableName":"person"}]}' },
      /CRM_SOURCES_CONFIG[\s\S]*crmTables\.0/,
    ],
    [{ WEBHOOK_CACHE_TTL_SECONDS: 'soon' }, /WEBHOOK_CACHE_TTL_SECONDS/],
    [{ SQS_MAX_MESSAGE_BYTES: '2000000' }, /SQS_MAX_MESSAGE_BYTES/],
    [{ SEND_CONCURRENCY: '0' }, /SEND_CONCURRENCY/],
  ])('fails fast naming the bad variable (%o)', (change, message) => {
    expect(() => loadEventMapperConfig({ ...baseEnv, ...change })).toThrow(message);
  });
});
