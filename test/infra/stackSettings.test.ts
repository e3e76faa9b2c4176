import { describe, expect, it } from 'vitest';
import { MAX_CRM_SOURCES_CONFIG_CHARS } from '../../infra/cdk/constructs/eventMapperFunction';
import { loadCrmSourcesConfig } from '../../infra/cdk/loadCrmSourcesConfig';
import { projectRoot } from '../../infra/cdk/projectPaths';
import { parseStackSettings } from '../../infra/cdk/stackSettings';
import { defaultCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { buildTestStack, streamArnFor, writeCrmSourcesFile } from './helpers/stackFactories';

describe('parseStackSettings', () => {
  it('defaults every setting for a demo deployment', () => {
    expect(parseStackSettings({})).toMatchObject({
      stackName: 'CrmWebhooks',
      crmSourcesConfig: 'config/crm-sources.json',
      maxAttempts: 10,
      deliveryTimeoutSeconds: 60,
      requestTimeoutMs: 10_000,
      secretNamePrefix: 'crm-webhooks',
      secretStore: 'envelope',
      deliveryLogSuccessSampleRate: 1,
      deliveryLogPointInTimeRecovery: false,
      removalPolicy: 'retain',
      logRetentionDays: 30,
      deliveryMaxConcurrency: 100,
      latencyPreset: 'realtime',
      mapperBatchingWindowSeconds: 0,
      deliveryBatchingWindowSeconds: 0,
      slowLaneMaxConcurrency: 20,
      primaryLaneTimeoutMs: 2_000,
      primaryLaneSlowAfterMs: 1_000,
      breakerFailureThreshold: 5,
    });
  });

  it('resolves the batching windows from latencyPreset, an explicit window winning', () => {
    expect(parseStackSettings({ latencyPreset: 'balanced' })).toMatchObject({
      mapperBatchingWindowSeconds: 0,
      deliveryBatchingWindowSeconds: 1,
    });
    expect(
      parseStackSettings({ latencyPreset: 'economical', mapperBatchingWindowSeconds: '0' }),
    ).toMatchObject({
      mapperBatchingWindowSeconds: 0,
      deliveryBatchingWindowSeconds: 1,
    });
    // Batches above 10 need a window: the default preset has none, balanced and economical do.
    expect(() => parseStackSettings({ deliveryBatchSize: '50' })).toThrow(/latencyPreset is realtime/);
    expect(parseStackSettings({ deliveryBatchSize: '50', latencyPreset: 'balanced' }).deliveryBatchSize).toBe(
      50,
    );
  });

  it('coerces the strings that `-c key=value` passes', () => {
    const settings = parseStackSettings({
      maxAttempts: '4',
      deliveryMaxConcurrency: '50',
      logRetentionDays: '7',
    });
    expect(settings).toMatchObject({ maxAttempts: 4, deliveryMaxConcurrency: 50, logRetentionDays: 7 });
    expect(
      parseStackSettings({
        secretStore: 'per-webhook',
        deliveryLogSuccessSampleRate: '0.05',
        deliveryLogPointInTimeRecovery: 'true',
      }),
    ).toMatchObject({
      secretStore: 'per-webhook',
      deliveryLogSuccessSampleRate: 0.05,
      deliveryLogPointInTimeRecovery: true,
    });
    expect(parseStackSettings({ deliveryLogPointInTimeRecovery: true }).deliveryLogPointInTimeRecovery).toBe(
      true,
    );
  });

  it.each([
    [{ maxAttempts: '0' }, 'maxAttempts'],
    // DynamoDB Streams keeps records 24 h: a longer maximum record age could never apply.
    [{ mapperMaxRecordAgeHours: '25' }, 'mapperMaxRecordAgeHours'],
    [{ maxAttempts: 'ten' }, 'maxAttempts'],
    [{ alarmEmail: 'not-an-email' }, 'alarmEmail'],
    [{ removalPolicy: 'snapshot' }, 'removalPolicy'],
    [{ logRetentionDays: '10' }, 'logRetentionDays'],
    [{ secretNamePrefix: '/crm-webhooks/' }, 'secretNamePrefix'],
    [{ retryDelaysSeconds: '5, 300' }, 'retryDelaysSeconds'],
    [{ secretStore: 'vault' }, 'secretStore'],
    [{ deliveryLogSuccessSampleRate: '1.5' }, 'deliveryLogSuccessSampleRate'],
    [{ deliveryLogPointInTimeRecovery: 'yes' }, 'deliveryLogPointInTimeRecovery'],
    [{ deliveryMaxConcurrency: '1' }, 'deliveryMaxConcurrency'],
    [{ deliveryTimeoutSeconds: '15' }, 'deliveryTimeoutSeconds'],
    [{ deliveryReservedConcurrency: '25', deliveryMaxConcurrency: '10' }, 'deliveryReservedConcurrency'],
    [{ primaryLaneTimeoutMs: '20000' }, 'primaryLaneTimeoutMs'],
    [{ primaryLaneSlowAfterMs: '3000' }, 'primaryLaneSlowAfterMs'],
    [{ deliveryBatchSize: '50', deliveryBatchingWindowSeconds: '0' }, 'deliveryBatchSize'],
    [{ latencyPreset: 'fast' }, 'latencyPreset'],
    // Lambda's MaximumBatchingWindowInSeconds takes whole seconds.
    [{ mapperBatchingWindowSeconds: '0.5' }, 'mapperBatchingWindowSeconds'],
    [{ apiThrottleRateLimit: '100', apiThrottleBurstLimit: '10' }, 'apiThrottleBurstLimit'],
  ])('rejects %j naming the context key %s', (input, key) => {
    expect(() => parseStackSettings(input)).toThrow(new RegExp(`context "${key}"`));
  });

  it('explains why the delivery reserved concurrency must cover both lanes', () => {
    expect(() => parseStackSettings({ deliveryReservedConcurrency: '100' })).toThrow(
      /deliveryMaxConcurrency \+ slowLaneMaxConcurrency \(120\); throttled invocations count as receives/,
    );
  });

  it('fails the synth of the whole app on a bad context value', () => {
    expect(() => buildTestStack({ context: { maxAttempts: '-1' } })).toThrow(
      /Invalid CDK context:\n {2}- context "maxAttempts"/,
    );
  });
});

describe('loadCrmSourcesConfig', () => {
  it('reads the demo config shipped in config/crm-sources.json', () => {
    expect(loadCrmSourcesConfig('config/crm-sources.json', projectRoot)).toEqual(defaultCrmSourcesConfig);
  });

  it('names the missing file and the context key that points to it', () => {
    expect(() => loadCrmSourcesConfig('config/nope.json', projectRoot)).toThrow(
      /CRM sources config not found: .*config\/nope\.json \(set the path with -c crmSourcesConfig=<file>\)/,
    );
  });

  it('reports JSON syntax errors with the file name', () => {
    const path = writeCrmSourcesFile('{ "crmTables": [ }');
    expect(() => loadCrmSourcesConfig(path, projectRoot)).toThrow(/crm-sources\.json is not valid JSON/);
  });

  it.each([
    [{ crmTables: [] }, 'crmTables: configure at least one CRM table'],
    [{ crmTables: [{ tableName: 'person' }] }, 'crmTables.0: set exactly one of "object"'],
    [
      { crmTables: [{ tableName: 'x', object: 'person' }] },
      'crmTables.0.tableName: must be a valid DynamoDB table name',
    ],
    [
      { crmTables: [{ tableName: 'person', object: 'Person' }] },
      'crmTables.0.object: must be a camelCase object name',
    ],
    [
      {
        crmTables: [
          { tableName: 'person', object: 'person', streamArn: 'arn:aws:dynamodb:eu-west-1:1:table/person' },
        ],
      },
      'crmTables.0.streamArn: must be a DynamoDB stream ARN',
    ],
    [{ crmTables: [{ tableName: 'person', object: 'person' }], colour: 'blue' }, '(root)'],
  ])('names the bad field of %j', (config, message) => {
    const path = writeCrmSourcesFile(config);
    let error: Error | undefined;
    try {
      loadCrmSourcesConfig(path, projectRoot);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain(`Invalid CRM sources config ${path}`);
    expect(error?.message).toContain(message);
  });

  it('rejects a stream ARN that belongs to another table', () => {
    const path = writeCrmSourcesFile({
      crmTables: [{ tableName: 'person', object: 'person', streamArn: streamArnFor('company') }],
    });
    expect(() => loadCrmSourcesConfig(path, projectRoot)).toThrow(
      /crmTables\.0\.streamArn: belongs to table "company", not "person"/,
    );
  });

  it('refuses a config too large for the event mapper environment (Lambda caps it at 4 KB)', () => {
    const crmTables = Array.from({ length: 60 }, (_, i) => ({
      tableName: `a-rather-long-crm-table-name-number-${i}`,
      object: `object${i}`,
    }));
    expect(JSON.stringify({ crmTables }).length).toBeGreaterThan(MAX_CRM_SOURCES_CONFIG_CHARS);
    expect(() => buildTestStack({ crmSources: { crmTables } })).toThrow(
      /Lambda allows 4 KB of environment variables/,
    );
  });
});
