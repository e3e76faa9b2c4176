import { describe, expect, it } from 'vitest';
import { loadSubscriptionsApiConfig } from '../../../../functions/subscriptions-api/config';

const required = {
  WEBHOOKS_TABLE: 'webhooks',
  API_KEYS_TABLE: 'api-keys',
  DELIVERY_LOG_TABLE: 'delivery-log',
  DELIVERIES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/deliveries',
  SIGNING_KEY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:1:secret:signing-key-AbCdEf',
  CRM_SOURCES_CONFIG: JSON.stringify({
    crmTables: [
      { tableName: 'person', object: 'person' },
      { tableName: 'company', object: 'company' },
    ],
  }),
};

describe('loadSubscriptionsApiConfig', () => {
  it('applies defaults', () => {
    expect(loadSubscriptionsApiConfig(required)).toEqual({
      webhooksTable: 'webhooks',
      apiKeysTable: 'api-keys',
      deliveryLogTable: 'delivery-log',
      deliveriesQueueUrl: required.DELIVERIES_QUEUE_URL,
      redriveTimeBudgetMs: 20_000,
      maxWebhooksPerWorkspace: 100,
      secretNamePrefix: 'crm-webhooks',
      secretStore: 'envelope',
      signingKeySecretId: required.SIGNING_KEY_SECRET_ID,
      signingKeyRefreshMs: 60_000,
      localMode: false,
      maxBodyBytes: 65536,
      subscribableEvents: {
        objects: ['company', 'person'],
        anyObject: false,
        actions: ['created', 'updated', 'deleted', 'restored', 'destroyed'],
      },
      producibleObjects: { kind: 'listed', objects: ['company', 'person'] },
    });
  });

  it('knows any object is possible once a single-table source names objects by attribute', () => {
    const config = loadSubscriptionsApiConfig({
      ...required,
      CRM_SOURCES_CONFIG: JSON.stringify({
        crmTables: [
          { tableName: 'person', object: 'person' },
          { tableName: 'crm', objectAttribute: 'entityType' },
        ],
      }),
    });
    expect(config.producibleObjects).toEqual({
      kind: 'any',
      listed: ['person'],
      objectAttributes: ['entityType'],
    });
  });

  it('reads the optional settings', () => {
    const config = loadSubscriptionsApiConfig({
      ...required,
      LOCAL_MODE: 'true',
      MAX_BODY_BYTES: '2048',
      SECRET_STORE: 'per-webhook',
      SECRET_NAME_PREFIX: 'acme/webhooks',
      SIGNING_KEY_REFRESH_SECONDS: '0',
      REDRIVE_TIME_BUDGET_MS: '5000',
    });
    expect(config).toMatchObject({
      localMode: true,
      maxBodyBytes: 2048,
      secretStore: 'per-webhook',
      secretNamePrefix: 'acme/webhooks',
      signingKeyRefreshMs: 0,
      redriveTimeBudgetMs: 5000,
    });
  });

  it('reads the CRM sources (for GET /objects) and the console directory', () => {
    const config = loadSubscriptionsApiConfig({
      ...required,
      CRM_SOURCES_CONFIG: JSON.stringify({
        crmTables: [
          { tableName: 'people', object: 'person' },
          { tableName: 'crm', objectAttribute: 'entityType' },
        ],
      }),
      CONSOLE_ASSETS_DIR: '/var/task/console',
    });
    expect(config.subscribableEvents).toEqual({
      objects: ['person'],
      anyObject: true,
      actions: ['created', 'updated', 'deleted', 'restored', 'destroyed'],
    });
    expect(config.consoleAssetsDir).toBe('/var/task/console');
  });

  it.each([
    [{ ...required, CRM_SOURCES_CONFIG: '{not json' }, 'CRM_SOURCES_CONFIG'],
    [{ ...required, CRM_SOURCES_CONFIG: '{"crmTables":[]}' }, 'CRM_SOURCES_CONFIG'],
    [{ ...required, WEBHOOKS_TABLE: undefined }, 'WEBHOOKS_TABLE'],
    [{ ...required, DELIVERIES_QUEUE_URL: '' }, 'DELIVERIES_QUEUE_URL'],
    [{ ...required, REDRIVE_TIME_BUDGET_MS: '60000' }, 'REDRIVE_TIME_BUDGET_MS'],
    [{ ...required, LOCAL_MODE: 'yes' }, 'LOCAL_MODE'],
    [{ ...required, MAX_BODY_BYTES: 'lots' }, 'MAX_BODY_BYTES'],
    [{ ...required, MAX_WEBHOOKS_PER_WORKSPACE: '0' }, 'MAX_WEBHOOKS_PER_WORKSPACE'],
    [{ ...required, SECRET_NAME_PREFIX: 'bad prefix!' }, 'SECRET_NAME_PREFIX'],
    [{ ...required, SECRET_STORE: 'vault' }, 'SECRET_STORE'],
    [{ ...required, SIGNING_KEY_SECRET_ID: undefined }, 'SIGNING_KEY_SECRET_ID'],
    [{ ...required, CRM_SOURCES_CONFIG: undefined }, 'CRM_SOURCES_CONFIG'],
    [{ ...required, CRM_SOURCES_CONFIG: '{"crmTables":' }, 'CRM_SOURCES_CONFIG is not JSON'],
    [{ ...required, CRM_SOURCES_CONFIG: '{"crmTables":[]}' }, 'CRM_SOURCES_CONFIG'],
  ])('fails fast naming the variable (%#)', (env, variable) => {
    expect(() => loadSubscriptionsApiConfig(env)).toThrow(variable);
  });
});
