import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  defaultCrmSourcesConfig,
  parseCrmSourcesConfig,
  sourceAttributesOf,
} from '../../../../shared/config/crmSourcesConfig';

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
      idAttribute: 'id',
      softDeleteAttribute: 'deletedAt',
    });
    // No default workspace unless the config names one: records without a workspace are skipped.
    expect(config).not.toHaveProperty('defaultWorkspaceId');
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

  it('accepts per-object settings, actor attributes and a null soft-delete attribute (per table too)', () => {
    const config = parseCrmSourcesConfig({
      crmTables: [
        { tableName: 'person', object: 'person', userIdAttribute: 'changedBy' },
        { tableName: 'audit', object: 'auditEntry', softDeleteAttribute: null },
      ],
      softDeleteAttribute: null,
      userIdAttribute: 'updatedBy',
      workspaceMemberIdAttribute: 'updatedByMember',
      objects: {
        person: { objectMetadataId: '20202020-e674-48e5-a542-72570eee7213' },
        workflowRun: { exactOnly: ['updated'] },
        auditEntry: { exactOnly: true },
      },
    });
    expect(config.softDeleteAttribute).toBeNull();
    expect(config.objects?.workflowRun?.exactOnly).toEqual(['updated']);
    expect(sourceAttributesOf(config.crmTables[0]!, config)).toEqual({
      softDeleteAttribute: null,
      userIdAttribute: 'changedBy',
      workspaceMemberIdAttribute: 'updatedByMember',
    });
    const withTrash = parseCrmSourcesConfig({
      crmTables: [
        { tableName: 'person', object: 'person' },
        { tableName: 'log', object: 'logLine', softDeleteAttribute: null },
      ],
    });
    expect(sourceAttributesOf(withTrash.crmTables[0]!, withTrash).softDeleteAttribute).toBe('deletedAt');
    expect(sourceAttributesOf(withTrash.crmTables[1]!, withTrash).softDeleteAttribute).toBeNull();
  });

  it('rejects bad per-object settings, naming the field', () => {
    const base = { crmTables: [{ tableName: 'person', object: 'person' }] };
    expect(errorOf({ ...base, objects: { person: { objectMetadataId: 'not-a-uuid' } } })).toContain(
      'objects.person.objectMetadataId: must be a UUID',
    );
    expect(errorOf({ ...base, objects: { person: { exactOnly: ['changed'] } } })).toContain(
      'objects.person.exactOnly',
    );
    expect(errorOf({ ...base, objects: { person: { exactOnly: false } } })).toContain(
      'objects.person.exactOnly',
    );
    expect(errorOf({ ...base, objects: { Person: {} } })).toContain('objects');
    expect(errorOf({ ...base, objects: { person: { extra: 1 } } })).toContain('extra');
    expect(errorOf({ ...base, userIdAttribute: '' })).toContain('userIdAttribute');
  });

  it('names the source in the error', () => {
    expect(() => parseCrmSourcesConfig({}, 'CRM_SOURCES_CONFIG')).toThrow(/^Invalid CRM_SOURCES_CONFIG:/);
  });
});

describe('docs/event-mapper.md', () => {
  it('shows a CRM sources config that parses', () => {
    const doc = readFileSync(new URL('../../../../docs/event-mapper.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('### CRM sources'));
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    const config = parseCrmSourcesConfig(JSON.parse(json ?? 'null'));
    expect(config.objects?.workflowRun?.exactOnly).toEqual(['updated']);
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
