import { NumberValueImpl as NumberValue, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CrmSourcesConfig, parseCrmSourcesConfig } from '../../../../../shared/config/crmSourcesConfig';
import { eventIdFor } from '../../../../../shared/domain/delivery/stableIds';
import type { CrmEvent } from '../../../../../shared/domain/events/crmEvent';
import { type MapResult, mapStreamRecord } from '../../../../../shared/domain/events/mapStreamRecord';
import {
  insertRecord,
  lambdaImage,
  modifyRecord,
  removeRecord,
} from '../../../../helpers/streamRecordFactories';

const config: CrmSourcesConfig = parseCrmSourcesConfig({
  crmTables: [
    { tableName: 'person', object: 'person' },
    { tableName: 'crm', objectAttribute: 'entityType' },
  ],
  defaultWorkspaceId: 'default',
});
const personTable = config.crmTables[0]!;
const singleTable = config.crmTables[1]!;

const alice = { id: 'p-1', workspaceId: 'ws-1', firstName: 'Alice', lastName: 'Smith', deletedAt: null };

function eventOf(result: MapResult): CrmEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('mapStreamRecord: actions', () => {
  it('INSERT → created with the new image', () => {
    const record = insertRecord(alice, { eventId: 'abc', approximateCreationDateTime: 1_739_201_450 });
    const event = eventOf(mapStreamRecord(record, personTable, config));
    expect(event).toEqual({
      eventId: eventIdFor('person', 'abc'),
      name: 'person.created',
      object: 'person',
      action: 'created',
      workspaceId: 'ws-1',
      recordId: 'p-1',
      timestamp: '2025-02-10T15:30:50.000Z',
      dataJson: '{"id":"p-1","workspaceId":"ws-1","firstName":"Alice","lastName":"Smith","deletedAt":null}',
    });
    expect(event.updatedFields).toBeUndefined();
  });

  it('MODIFY that changes fields → updated with the sorted names of added, removed and changed fields', () => {
    const before = { ...alice, phones: ['1'], city: 'Paris' };
    const { city: _removed, ...rest } = before;
    const after = { ...rest, lastName: 'Jones', phones: ['1', '2'], jobTitle: 'CTO' };
    const event = eventOf(mapStreamRecord(modifyRecord(before, after), personTable, config));
    expect(event.name).toBe('person.updated');
    expect(event.updatedFields).toEqual(['city', 'jobTitle', 'lastName', 'phones']);
    expect(JSON.parse(event.dataJson)).toEqual(after);
  });

  it('compares nested values deeply', () => {
    const before = { ...alice, address: { city: 'Paris', geo: { lat: 1 } } };
    const same = { ...alice, address: { geo: { lat: 1 }, city: 'Paris' } };
    const moved = { ...alice, address: { city: 'Paris', geo: { lat: 2 } } };
    expect(mapStreamRecord(modifyRecord(before, same), personTable, config)).toEqual({
      kind: 'skip',
      reason: 'no-change',
    });
    expect(eventOf(mapStreamRecord(modifyRecord(before, moved), personTable, config)).updatedFields).toEqual([
      'address',
    ]);
  });

  it('MODIFY with no change → no event, also when sets are reordered or numbers written differently', () => {
    expect(mapStreamRecord(modifyRecord(alice, alice), personTable, config)).toEqual({
      kind: 'skip',
      reason: 'no-change',
    });
    const record = modifyRecord(
      { id: { S: 'p-1' }, tags: { SS: ['a', 'b'] }, score: { N: '1.50' } },
      { id: { S: 'p-1' }, tags: { SS: ['b', 'a'] }, score: { N: '1.5' } },
      { raw: true },
    );
    expect(mapStreamRecord(record, personTable, config)).toEqual({ kind: 'skip', reason: 'no-change' });
  });

  it('MODIFY that sets the soft-delete attribute → deleted with the record before the change, the trashed record and the changed fields', () => {
    const deleted = { ...alice, deletedAt: '2025-02-10T15:30:50.000Z', updatedAt: 'now' };
    const event = eventOf(mapStreamRecord(modifyRecord(alice, deleted), personTable, config));
    expect(event.name).toBe('person.deleted');
    expect(JSON.parse(event.dataJson)).toEqual(alice);
    expect(JSON.parse(event.recordAfterJson as string)).toEqual(deleted);
    expect(event.updatedFields).toEqual(['deletedAt', 'updatedAt']);
  });

  it('treats an absent soft-delete attribute like NULL', () => {
    const { deletedAt: _d, ...live } = alice;
    const event = eventOf(
      mapStreamRecord(modifyRecord(live, { ...live, deletedAt: '2025-01-01' }), personTable, config),
    );
    expect(event.action).toBe('deleted');
  });

  it('MODIFY that clears the soft-delete attribute → restored with the record after the change', () => {
    const deleted = { ...alice, deletedAt: '2025-02-10T15:30:50.000Z' };
    const { deletedAt: _d, ...cleared } = alice;
    for (const after of [alice, cleared]) {
      const event = eventOf(mapStreamRecord(modifyRecord(deleted, after), personTable, config));
      expect(event.name).toBe('person.restored');
      expect(JSON.parse(event.dataJson)).toEqual(after);
      expect(event.updatedFields).toEqual(['deletedAt']);
      expect(event.recordAfterJson).toBeUndefined();
    }
  });

  it('MODIFY of a soft-deleted record that stays deleted → updated', () => {
    const deleted = { ...alice, deletedAt: '2025-02-10' };
    const event = eventOf(
      mapStreamRecord(modifyRecord(deleted, { ...deleted, lastName: 'X' }), personTable, config),
    );
    expect(event.action).toBe('updated');
    expect(event.updatedFields).toEqual(['lastName']);
  });

  it('REMOVE with a soft-delete attribute → destroyed, live or trashed (as in Twenty), with the old image', () => {
    const live = eventOf(mapStreamRecord(removeRecord(alice), personTable, config));
    expect(live.name).toBe('person.destroyed');
    expect(JSON.parse(live.dataJson)).toEqual(alice);
    expect(live.updatedFields).toBeUndefined();
    const softDeleted = { ...alice, deletedAt: '2025-02-10' };
    const destroyed = eventOf(mapStreamRecord(removeRecord(softDeleted), personTable, config));
    expect(destroyed.name).toBe('person.destroyed');
    expect(JSON.parse(destroyed.dataJson)).toEqual(softDeleted);
  });

  it('REMOVE without a soft-delete attribute (null, config-wide or per table) → deleted', () => {
    for (const hardOnly of [
      parseCrmSourcesConfig({
        crmTables: [{ tableName: 'person', object: 'person' }],
        softDeleteAttribute: null,
      }),
      parseCrmSourcesConfig({
        crmTables: [{ tableName: 'person', object: 'person', softDeleteAttribute: null }],
      }),
    ]) {
      const table = hardOnly.crmTables[0]!;
      const live = eventOf(mapStreamRecord(removeRecord(alice), table, hardOnly));
      expect(live.name).toBe('person.deleted');
      expect(JSON.parse(live.dataJson)).toEqual(alice);
      // deletedAt is an ordinary field there.
      const set = eventOf(
        mapStreamRecord(modifyRecord(alice, { ...alice, deletedAt: 'x' }), table, hardOnly),
      );
      expect(set.action).toBe('updated');
    }
  });

  it('TTL expiries follow the same rules', () => {
    expect(eventOf(mapStreamRecord(removeRecord(alice, { ttl: true }), personTable, config)).action).toBe(
      'destroyed',
    );
    const hardOnly = parseCrmSourcesConfig({
      crmTables: [{ tableName: 'person', object: 'person' }],
      softDeleteAttribute: null,
    });
    expect(
      eventOf(mapStreamRecord(removeRecord(alice, { ttl: true }), hardOnly.crmTables[0]!, hardOnly)).action,
    ).toBe('deleted');
  });

  it('reads userId and workspaceMemberId from the configured attributes, after the change (before it for removals)', () => {
    const withActors = parseCrmSourcesConfig({
      crmTables: [
        { tableName: 'person', object: 'person' },
        { tableName: 'crm', objectAttribute: 'entityType', userIdAttribute: 'changedBy' },
      ],
      userIdAttribute: 'updatedBy',
      workspaceMemberIdAttribute: 'updatedByMember',
      objects: { person: { objectMetadataId: '20202020-e674-48e5-a542-72570eee7213' } },
      defaultWorkspaceId: 'default',
    });
    const person = withActors.crmTables[0]!;
    const before = { ...alice, updatedBy: 'u-1', updatedByMember: 'm-1' };
    const after = { ...alice, lastName: 'X', updatedBy: 'u-2', updatedByMember: 'm-2' };
    const updated = eventOf(mapStreamRecord(modifyRecord(before, after), person, withActors));
    expect(updated).toMatchObject({
      userId: 'u-2',
      workspaceMemberId: 'm-2',
      objectMetadataId: '20202020-e674-48e5-a542-72570eee7213',
    });
    const removed = eventOf(mapStreamRecord(removeRecord(before), person, withActors));
    expect(removed).toMatchObject({ userId: 'u-1', workspaceMemberId: 'm-1' });
    // Left out when the record has no such attribute (or an empty one); the table's own attribute wins.
    const anonymous = eventOf(mapStreamRecord(insertRecord({ ...alice, updatedBy: '' }), person, withActors));
    expect(anonymous.userId).toBeUndefined();
    expect(anonymous.workspaceMemberId).toBeUndefined();
    const single = eventOf(
      mapStreamRecord(
        insertRecord(
          { id: 'c-1', entityType: 'company', changedBy: 'u-9', updatedBy: 'u-0' },
          { tableName: 'crm' },
        ),
        withActors.crmTables[1]!,
        withActors,
      ),
    );
    expect(single.userId).toBe('u-9');
    expect(single.objectMetadataId).toBeUndefined();
  });

  it('uses the configured soft-delete attribute', () => {
    const custom = parseCrmSourcesConfig({
      crmTables: [{ tableName: 'person', object: 'person' }],
      softDeleteAttribute: 'removedOn',
    });
    const event = eventOf(
      mapStreamRecord(modifyRecord(alice, { ...alice, removedOn: 1 }), custom.crmTables[0]!, custom),
    );
    expect(event.action).toBe('deleted');
    // deletedAt is now an ordinary field.
    const plain = eventOf(
      mapStreamRecord(modifyRecord(alice, { ...alice, deletedAt: 'x' }), custom.crmTables[0]!, custom),
    );
    expect(plain.action).toBe('updated');
  });
});

describe('mapStreamRecord: object, workspace, id, timestamp', () => {
  it('takes the object from an item attribute in single-table designs', () => {
    const record = insertRecord(
      { pk: 'W#1', id: 'c-1', entityType: 'workspaceMember' },
      { tableName: 'crm' },
    );
    const event = eventOf(mapStreamRecord(record, singleTable, config));
    expect(event.name).toBe('workspaceMember.created');
    expect(event.object).toBe('workspaceMember');
    expect(event.eventId).toBe(eventIdFor('crm', record.eventID!));
  });

  it('reports an item without a usable object attribute as an error value', () => {
    for (const entityType of [undefined, 'Person', 'person-x', '', 7]) {
      const item = entityType === undefined ? { id: 'c-1' } : { id: 'c-1', entityType };
      const result = mapStreamRecord(insertRecord(item, { tableName: 'crm' }), singleTable, config);
      expect(result).toMatchObject({ kind: 'error', reason: 'no-object' });
      if (result.kind === 'error') expect(result.message).toContain('entityType');
    }
  });

  it('takes the object of a delete from the old image', () => {
    const record = removeRecord({ id: 'c-1', entityType: 'company' }, { tableName: 'crm' });
    expect(eventOf(mapStreamRecord(record, singleTable, config)).name).toBe('company.destroyed');
  });

  it('falls back to the configured default workspace only when the attribute is absent', () => {
    const withDefault = { ...config, defaultWorkspaceId: 'main' };
    const { workspaceId: _w, ...noWorkspace } = alice;
    expect(eventOf(mapStreamRecord(insertRecord(noWorkspace), personTable, withDefault)).workspaceId).toBe(
      'main',
    );
    for (const workspaceId of ['', null, 5, ['ws']]) {
      const result = mapStreamRecord(insertRecord({ ...alice, workspaceId }), personTable, withDefault);
      expect(result).toMatchObject({ kind: 'error', reason: 'no-workspace' });
    }
  });

  it('without a defaultWorkspaceId, skips records lacking the workspace attribute', () => {
    const { defaultWorkspaceId: _d, ...noDefault } = config;
    const { workspaceId: _w, ...noWorkspace } = alice;
    for (const record of [insertRecord(noWorkspace), removeRecord(noWorkspace)]) {
      expect(mapStreamRecord(record, personTable, noDefault)).toEqual({
        kind: 'error',
        reason: 'no-default-workspace',
        message: 'record has no "workspaceId" attribute and the config sets no defaultWorkspaceId',
      });
    }
    expect(eventOf(mapStreamRecord(insertRecord(alice), personTable, noDefault)).workspaceId).toBe('ws-1');
  });

  it('uses the configured workspace and id attributes', () => {
    const custom = parseCrmSourcesConfig({
      crmTables: [{ tableName: 'person', object: 'person' }],
      workspaceIdAttribute: 'tenant',
      defaultWorkspaceId: 'main',
      idAttribute: 'personId',
    });
    const event = eventOf(
      mapStreamRecord(
        insertRecord({ personId: 42, tenant: 't-9' }, { keys: { personId: { N: '42' } } }),
        custom.crmTables[0]!,
        custom,
      ),
    );
    expect(event.workspaceId).toBe('t-9');
    expect(event.recordId).toBe('42');
  });

  it('takes the record id from the id attribute, else the id key, else the only key', () => {
    const event = (item: Record<string, unknown>, keys: Record<string, { S: string }>) =>
      mapStreamRecord(insertRecord(item, { keys }), personTable, config);
    expect(eventOf(event({ id: 'a' }, { id: { S: 'a' } })).recordId).toBe('a');
    expect(eventOf(event({ name: 'x' }, { id: { S: 'k' } })).recordId).toBe('k');
    expect(eventOf(event({ name: 'x' }, { pk: { S: 'only' } })).recordId).toBe('only');
    expect(event({ name: 'x' }, { pk: { S: 'a' }, sk: { S: 'b' } })).toMatchObject({
      kind: 'error',
      reason: 'no-id',
    });
  });

  it('turns ApproximateCreationDateTime seconds into ISO 8601 UTC with milliseconds', () => {
    const at = (seconds: number) =>
      eventOf(
        mapStreamRecord(insertRecord(alice, { approximateCreationDateTime: seconds }), personTable, config),
      ).timestamp;
    expect(at(1_739_201_450)).toBe('2025-02-10T15:30:50.000Z');
    expect(at(1_739_201_450.123)).toBe('2025-02-10T15:30:50.123Z');
    // Consecutive records with the same or alternating times (the formatted value is reused).
    expect([1, 1, 2, 1, 0].map((s) => at(1_739_201_450 + s))).toEqual([
      '2025-02-10T15:30:51.000Z',
      '2025-02-10T15:30:51.000Z',
      '2025-02-10T15:30:52.000Z',
      '2025-02-10T15:30:51.000Z',
      '2025-02-10T15:30:50.000Z',
    ]);
  });

  it('accepts a Date (the SDK streams client shape) and falls back to the clock when absent', () => {
    const record = insertRecord(alice);
    (record.dynamodb as { ApproximateCreationDateTime?: unknown }).ApproximateCreationDateTime = new Date(
      '2025-01-01T00:00:00.250Z',
    );
    expect(eventOf(mapStreamRecord(record, personTable, config)).timestamp).toBe('2025-01-01T00:00:00.250Z');
    delete record.dynamodb?.ApproximateCreationDateTime;
    const now = () => new Date('2026-01-01T10:00:00.000Z');
    expect(eventOf(mapStreamRecord(record, personTable, config, now)).timestamp).toBe(
      '2026-01-01T10:00:00.000Z',
    );
  });

  it('gives the same event id for the same stream record and a different one for another record or table', () => {
    const a = insertRecord(alice, { eventId: 'e1' });
    const first = eventOf(mapStreamRecord(a, personTable, config));
    const again = eventOf(mapStreamRecord(structuredClone(a), personTable, config));
    expect(again.eventId).toBe(first.eventId);
    expect(
      eventOf(mapStreamRecord(insertRecord(alice, { eventId: 'e2' }), personTable, config)).eventId,
    ).not.toBe(first.eventId);
    const crm = insertRecord({ ...alice, entityType: 'person' }, { eventId: 'e1', tableName: 'crm' });
    expect(eventOf(mapStreamRecord(crm, singleTable, config)).eventId).not.toBe(first.eventId);
  });
});

describe('mapStreamRecord: records it cannot map', () => {
  it('reports missing images (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE views) instead of throwing', () => {
    const deleted = { ...alice, deletedAt: 'x' };
    const cases = [
      insertRecord(alice, { streamViewType: 'KEYS_ONLY' }),
      insertRecord(alice, { streamViewType: 'OLD_IMAGE' }),
      modifyRecord(alice, deleted, { streamViewType: 'NEW_IMAGE' }),
      modifyRecord(alice, deleted, { streamViewType: 'OLD_IMAGE' }),
      removeRecord(alice, { streamViewType: 'NEW_IMAGE' }),
      removeRecord(alice, { streamViewType: 'KEYS_ONLY' }),
    ];
    for (const record of cases) {
      const result = mapStreamRecord(record, personTable, config);
      expect(result).toMatchObject({ kind: 'error', reason: 'no-image' });
      if (result.kind === 'error') expect(result.message).toContain('NEW_AND_OLD_IMAGES');
    }
    expect(
      mapStreamRecord(insertRecord(alice, { streamViewType: 'NEW_IMAGE' }), personTable, config).kind,
    ).toBe('event');
    expect(
      mapStreamRecord(removeRecord(alice, { streamViewType: 'OLD_IMAGE' }), personTable, config).kind,
    ).toBe('event');
  });

  it('reports unknown event names, missing eventIDs, bad numbers and bad timestamps as unsupported', () => {
    const noId = insertRecord(alice);
    delete noId.eventID;
    const odd = { ...insertRecord(alice), eventName: 'TRUNCATE' } as unknown as Parameters<
      typeof mapStreamRecord
    >[0];
    const badNumber = insertRecord({ id: { S: 'x' }, n: { N: 'abc' } }, { raw: true });
    const badTime = insertRecord(alice, { approximateCreationDateTime: Number.NaN });
    for (const record of [noId, odd, badNumber, badTime]) {
      expect(mapStreamRecord(record, personTable, config)).toMatchObject({
        kind: 'error',
        reason: 'unsupported',
      });
    }
    expect(mapStreamRecord({}, personTable, config)).toMatchObject({ kind: 'error', reason: 'unsupported' });
  });

  it('keeps record contents out of error messages (they are logged)', () => {
    const record = insertRecord({ id: { S: 'x' }, n: { N: 'secret-value-42' } }, { raw: true });
    const result = mapStreamRecord(record, personTable, config);
    expect(result.kind === 'error' && result.message).toBe('a number attribute is not a DynamoDB number');
    const bad = insertRecord({ id: 'x', workspaceId: 'ws', entityType: 'Secret-Name' }, { tableName: 'crm' });
    const noObject = mapStreamRecord(bad, singleTable, config);
    expect(noObject.kind === 'error' && noObject.message).not.toContain('Secret-Name');
  });

  it('never throws, whatever the record (property)', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.constantFrom('INSERT', 'MODIFY', 'REMOVE', 'X'),
        (a, b, name) => {
          const record = { eventID: '1', eventName: name, dynamodb: { NewImage: a, OldImage: b } } as never;
          const result = mapStreamRecord(record, singleTable, config);
          expect(['event', 'skip', 'error']).toContain(result.kind);
        },
      ),
    );
  });
});

describe('marshall → stream record → event round trip (property)', () => {
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { maxDepth: 3 },
      fc.string({ maxLength: 10 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new NumberValue(String(d))),
      fc.bigInt({ min: -(10n ** 37n), max: 10n ** 37n }).map((b) => new NumberValue(b.toString())),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      fc.uniqueArray(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }).map((a) => new Set(a)),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 5 }).filter((k) => !/^\d+$/.test(k)),
        tie('v'),
        {
          maxKeys: 3,
        },
      ),
    ),
  })).v;

  it('created events carry every attribute of any item, numbers with their exact text', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'firstName', 'score', 'tags'), value, { maxKeys: 6 }),
        (attributes) => {
          const item = { id: 'p-1', ...attributes };
          const image = lambdaImage(item);
          const event = eventOf(mapStreamRecord(insertRecord(image, { raw: true }), personTable, config));
          // Independent reference: the SDK's unmarshall with exact numbers, rendered with number text kept.
          const sdkImage = lambdaImage(item);
          expect(event.dataJson).toBe(
            renderExact(unmarshall(toSdk(sdkImage) as never, { wrapNumbers: true })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** JSON text of an unmarshalled item, numbers written from NumberValue text: a reference renderer. */
function renderExact(value: unknown): string {
  if (value instanceof NumberValue) return value.value;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value instanceof Set) return renderExact([...value]);
  if (Array.isArray(value)) return `[${value.map(renderExact).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${renderExact(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function toSdk(value: unknown, key?: string): unknown {
  if (key === 'B' && typeof value === 'string') return Buffer.from(value, 'base64');
  if (key === 'BS' && Array.isArray(value)) return value.map((b) => Buffer.from(b as string, 'base64'));
  if (Array.isArray(value)) return value.map((v) => toSdk(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSdk(v, k)]));
  }
  return value;
}
