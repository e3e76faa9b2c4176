import { describe, expect, it } from 'vitest';
import { defaultCrmSourcesConfig } from '../../../../../shared/config/crmSourcesConfig';
import {
  producibleObjects,
  unproducibleOperationError,
} from '../../../../../shared/domain/operations/producibleObjects';

const tablePerObject = producibleObjects(defaultCrmSourcesConfig);
const withSingleTable = producibleObjects({
  crmTables: [
    { tableName: 'person', object: 'person' },
    { tableName: 'crm', objectAttribute: 'entityType' },
  ],
});

describe('producibleObjects', () => {
  it('lists the fixed objects of table-per-object sources, sorted and once each', () => {
    expect(tablePerObject).toEqual({
      kind: 'listed',
      objects: ['company', 'note', 'opportunity', 'person', 'task'],
    });
    expect(
      producibleObjects({
        crmTables: [
          { tableName: 'people-eu', object: 'person' },
          { tableName: 'people-us', object: 'person' },
        ],
      }),
    ).toEqual({ kind: 'listed', objects: ['person'] });
  });

  it('allows any object once a single-table source takes it from an item attribute', () => {
    expect(withSingleTable).toEqual({ kind: 'any', listed: ['person'], objectAttributes: ['entityType'] });
  });
});

describe('unproducibleOperationError', () => {
  it.each(['person.created', 'company.*', '*.deleted', '*.*'])('accepts %s', (operation) => {
    expect(unproducibleOperationError(operation, tablePerObject)).toBeUndefined();
  });

  it('refuses an object no source produces, naming it and listing the configured objects', () => {
    expect(unproducibleOperationError('invoice.created', tablePerObject)).toBe(
      '"invoice.created": no CRM source produces "invoice" events; the configured objects are company, note, opportunity, person, task',
    );
    expect(unproducibleOperationError('invoice.*', tablePerObject)).toMatch(/"invoice"/);
  });

  it('accepts any camelCase object when a single-table source names objects freely', () => {
    expect(unproducibleOperationError('invoice.created', withSingleTable)).toBeUndefined();
    expect(unproducibleOperationError('workspaceMember.updated', withSingleTable)).toBeUndefined();
  });
});
