import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { handlerEnvironment, LOCAL_TABLE_NAMES } from '../../../../infra/local/localRuntime';
import { LocalSettingsError, readLocalSettings } from '../../../../infra/local/localSettings';

const dir = mkdtempSync(join(tmpdir(), 'local-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start settings', () => {
  it('defaults to the documented ports, ten attempts and the five standard CRM tables', () => {
    const settings = readLocalSettings({});
    expect(settings).toMatchObject({
      apiPort: 3000,
      dynamoDbPort: 8000,
      sqsPort: 4566,
      maxAttempts: 10,
      deliveryTimeoutSeconds: 60,
      region: 'us-east-1',
    });
    expect(settings.apiKey).toBeUndefined();
    expect(settings.crmSources.crmTables.map((t) => t.tableName)).toEqual([
      'person',
      'company',
      'note',
      'task',
      'opportunity',
    ]);
  });

  it('reads ports, key and attempts from the environment; empty values count as unset', () => {
    const settings = readLocalSettings({
      PORT: '3100',
      DYNAMODB_PORT: '',
      WEBHOOKS_API_KEY: 'a-fixed-local-key-1234',
      MAX_ATTEMPTS: '3',
    });
    expect(settings).toMatchObject({
      apiPort: 3100,
      dynamoDbPort: 8000,
      apiKey: 'a-fixed-local-key-1234',
      maxAttempts: 3,
    });
  });

  it("batching windows: none by default (LATENCY_PRESET=realtime), the preset's, or in seconds from the env", () => {
    expect(readLocalSettings({})).toMatchObject({
      latencyPreset: 'realtime',
      deliveryBatchingWindowMs: 0,
      mapperBatchingWindowMs: 0,
    });
    expect(readLocalSettings({ LATENCY_PRESET: 'balanced' })).toMatchObject({
      deliveryBatchingWindowMs: 1_000,
      mapperBatchingWindowMs: 0,
    });
    expect(readLocalSettings({ LATENCY_PRESET: 'economical' })).toMatchObject({
      deliveryBatchingWindowMs: 1_000,
      mapperBatchingWindowMs: 1_000,
    });
    expect(
      readLocalSettings({
        LATENCY_PRESET: 'economical',
        DELIVERY_BATCHING_WINDOW_SECONDS: '0',
        MAPPER_BATCHING_WINDOW_SECONDS: '1.25',
      }),
    ).toMatchObject({ deliveryBatchingWindowMs: 0, mapperBatchingWindowMs: 1_250 });
    expect(() => readLocalSettings({ LATENCY_PRESET: 'instant' })).toThrow(
      /LATENCY_PRESET: must be one of realtime, balanced, economical/,
    );
    expect(() => readLocalSettings({ DELIVERY_BATCHING_WINDOW_SECONDS: '-1' })).toThrow(
      /DELIVERY_BATCHING_WINDOW_SECONDS: must be a number of seconds/,
    );
  });

  it('names the variable when a value is wrong', () => {
    expect(() => readLocalSettings({ SQS_PORT: '70000' })).toThrow(/SQS_PORT: must be a port number/);
    expect(() => readLocalSettings({ WEBHOOKS_API_KEY: 'short' })).toThrow(
      /WEBHOOKS_API_KEY: must be at least 16/,
    );
    expect(() => readLocalSettings({ MAX_ATTEMPTS: '0' })).toThrow(LocalSettingsError);
    expect(() => readLocalSettings({ SECRET_STORE: 'vault' })).toThrow(/SECRET_STORE/);
  });

  it('keeps signing secrets sealed under one key unless SECRET_STORE=per-webhook', () => {
    expect(readLocalSettings({}).secretStore).toBe('envelope');
    expect(readLocalSettings({ SECRET_STORE: 'per-webhook' }).secretStore).toBe('per-webhook');
  });

  it('loads the CRM sources from CRM_SOURCES_CONFIG_FILE, with readable errors', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ crmTables: [{ tableName: 'crm', objectAttribute: 'entityType' }] }));
    const settings = readLocalSettings({ CRM_SOURCES_CONFIG_FILE: good });
    expect(settings.crmSources.crmTables).toEqual([{ tableName: 'crm', objectAttribute: 'entityType' }]);
    expect(settings.crmSourcesOrigin).toBe(good);

    const notJson = join(dir, 'bad.json');
    writeFileSync(notJson, '{ nope');
    expect(() => readLocalSettings({ CRM_SOURCES_CONFIG_FILE: notJson })).toThrow(/is not valid JSON/);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ crmTables: [] }));
    expect(() => readLocalSettings({ CRM_SOURCES_CONFIG_FILE: invalid })).toThrow(
      /crmTables: configure at least one/,
    );
    expect(() => readLocalSettings({ CRM_SOURCES_CONFIG_FILE: join(dir, 'missing.json') })).toThrow(
      /cannot read/,
    );
  });

  it('gives the functions the local endpoints and names; user knobs win, fixed wiring does not', () => {
    const settings = readLocalSettings({ MAX_ATTEMPTS: '4' });
    const env = handlerEnvironment(
      settings,
      { dynamoDb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', secretsManager: 'http://127.0.0.1:3' },
      {
        deliveriesQueueUrl: 'q',
        slowLaneQueueUrl: 's',
        deadLetterQueueUrl: 'dlq',
        mapperFailureQueueUrl: 'f',
      },
      {
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        LOCAL_MODE: 'false',
        AWS_ACCESS_KEY_ID: 'AKIAREAL',
        WEBHOOK_CACHE_TTL_SECONDS: '',
      },
    );
    expect(env).toMatchObject({
      WEBHOOKS_TABLE: LOCAL_TABLE_NAMES.webhooks,
      API_KEYS_TABLE: LOCAL_TABLE_NAMES.apiKeys,
      DELIVERY_LOG_TABLE: LOCAL_TABLE_NAMES.deliveryLog,
      DELIVERIES_QUEUE_URL: 'q',
      DEAD_LETTER_QUEUE_URL: 'dlq',
      MAX_ATTEMPTS: '4',
      LOCAL_MODE: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:3',
      AWS_ACCESS_KEY_ID: 'local',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_METRICS_DISABLED: 'true',
      WEBHOOK_CACHE_TTL_SECONDS: '0',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SECRET_STORE: 'envelope',
      SIGNING_KEY_SECRET_ID: 'crm-webhooks/signing-key',
      SIGNING_KEY_REFRESH_SECONDS: '0',
    });
    expect(JSON.parse(env.CRM_SOURCES_CONFIG!)).toEqual(settings.crmSources);
  });
});
