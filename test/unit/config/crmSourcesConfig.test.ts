import { describe, expect, it } from 'vitest';
import { defaultCrmSourcesConfig, parseCrmSourcesConfig } from '../../../shared/config/crmSourcesConfig';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/crm/stream/2026-11-27T13:00:00.000';

function errorOf(input: unknown): string {
  try {
    parseCrmSourcesConfig(input);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseCrmSourcesConfig', () => {
  it('accepts the documented example and fills the defaults', () => {
    const config = parseCrmSourcesConfig({
      crmTables: [
        { tableName: 'person', object: 'person' },
        { tableName: 'crm', objectAttribute: 'entityType', streamArn: STREAM_ARN },
      ],
    });
    expect(config).toEqual({
      crmTables: [
        { tableName: 'person', object: 'person' },
        { tableName: 'crm', objectAttribute: 'entityType', streamArn: STREAM_ARN },
      ],
      workspaceIdAttribute: 'workspaceId',
      defaultWorkspaceId: 'default',
      idAttribute: 'id',
      softDeleteAttribute: 'deletedAt',
    });
  });

  it('keeps explicit attribute names', () => {
    const config = parseCrmSourcesConfig({
      crmTables: [{ tableName: 'people', object: 'person' }],
      workspaceIdAttribute: 'tenantId',
      defaultWorkspaceId: 'main',
      idAttribute: 'pk',
      softDeleteAttribute: 'archivedAt',
    });
    expect(config.workspaceIdAttribute).toBe('tenantId');
    expect(config.defaultWorkspaceId).toBe('main');
    expect(config.idAttribute).toBe('pk');
    expect(config.softDeleteAttribute).toBe('archivedAt');
  });

  it('names every bad field in one error', () => {
    const message = errorOf({
      crmTables: [
        { tableName: 'x', object: 'person' },
        { tableName: 'company', object: 'Company' },
        { tableName: 'crm', object: 'note', objectAttribute: 'entityType' },
        { tableName: 'other' },
      ],
      idAttribute: '',
    });
    expect(message).toMatch(/^Invalid CRM sources config:/);
    expect(message).toContain('crmTables.0.tableName: must be a valid DynamoDB table name');
    expect(message).toContain('crmTables.1.object: must be a camelCase object name');
    expect(message).toContain('crmTables.2: set exactly one of "object"');
    expect(message).toContain('crmTables.3: set exactly one of "object"');
    expect(message).toContain('idAttribute');
  });

  it('rejects duplicate tables, empty lists, unknown keys and bad stream ARNs', () => {
    expect(
      errorOf({
        crmTables: [
          { tableName: 'person', object: 'person' },
          { tableName: 'person', object: 'company' },
        ],
      }),
    ).toContain('crmTables.1.tableName: table "person" is listed twice');
    expect(errorOf({ crmTables: [] })).toContain('configure at least one CRM table');
    expect(errorOf({})).toContain('crmTables');
    expect(errorOf({ crmTables: [{ tableName: 'person', object: 'person' }], idAtribute: 'id' })).toContain(
      'idAtribute',
    );
    expect(errorOf({ crmTables: [{ tableName: 'person', object: 'person', extra: 1 }] })).toContain('extra');
    expect(
      errorOf({
        crmTables: [
          { tableName: 'person', object: 'person', streamArn: 'arn:aws:dynamodb:eu-west-1:1:table/person' },
        ],
      }),
    ).toContain('must be a DynamoDB stream ARN');
    expect(errorOf(null)).toContain('(root)');
  });

  it('names the source in the error', () => {
    expect(() => parseCrmSourcesConfig({}, 'CRM_SOURCES_CONFIG')).toThrow(/^Invalid CRM_SOURCES_CONFIG:/);
  });
});

describe('defaultCrmSourcesConfig', () => {
  it('has one table per standard CRM object', () => {
    expect(defaultCrmSourcesConfig.crmTables.map((t) => [t.tableName, t.object])).toEqual([
      ['person', 'person'],
      ['company', 'company'],
      ['note', 'note'],
      ['task', 'task'],
      ['opportunity', 'opportunity'],
    ]);
    expect(defaultCrmSourcesConfig.defaultWorkspaceId).toBe('default');
  });
});
