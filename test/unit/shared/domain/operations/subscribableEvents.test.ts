import { describe, expect, it } from 'vitest';
import {
  defaultCrmSourcesConfig,
  parseCrmSourcesConfig,
} from '../../../../../shared/config/crmSourcesConfig';
import { CRM_ACTIONS } from '../../../../../shared/domain/events/crmEvent';
import { subscribableEvents } from '../../../../../shared/domain/operations/subscribableEvents';

describe('subscribableEvents', () => {
  it('lists the objects of one-table-per-object sources, sorted, with every action', () => {
    expect(subscribableEvents(defaultCrmSourcesConfig)).toEqual({
      objects: ['company', 'note', 'opportunity', 'person', 'task'],
      anyObject: false,
      actions: CRM_ACTIONS,
    });
  });

  it('says any object may occur when a single-table source names objects in an attribute', () => {
    const config = parseCrmSourcesConfig({
      crmTables: [
        { tableName: 'crm', objectAttribute: 'entityType' },
        { tableName: 'people', object: 'person' },
        { tableName: 'people-archive', object: 'person' },
      ],
    });
    expect(subscribableEvents(config)).toMatchObject({ objects: ['person'], anyObject: true });
  });
});
