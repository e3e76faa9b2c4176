import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesFilter, type WebhookFilter } from '../../../../../shared/domain/webhooks/webhookFilter';

const record = { id: 'o-1', stage: 'WON', amount: 12.5, archived: false, owner: null, tags: ['a'] };
const fields = () => record;

describe('matchesFilter', () => {
  it('passes everything without a filter', () => {
    expect(matchesFilter(undefined, { action: 'updated', updatedFields: ['x'] }, fields)).toBe(true);
  });

  it('updatedFields: an updated event passes only if one of the fields changed; other actions are not affected', () => {
    const filter: WebhookFilter = { updatedFields: ['stage', 'amount'] };
    expect(matchesFilter(filter, { action: 'updated', updatedFields: ['amount', 'city'] }, fields)).toBe(
      true,
    );
    expect(matchesFilter(filter, { action: 'updated', updatedFields: ['city'] }, fields)).toBe(false);
    expect(matchesFilter(filter, { action: 'updated' }, fields)).toBe(false);
    for (const action of ['created', 'deleted', 'restored', 'destroyed']) {
      expect(matchesFilter(filter, { action, updatedFields: ['deletedAt'] }, fields)).toBe(true);
    }
  });

  it('where: every named field equals the value or one of the values', () => {
    const event = { action: 'created' };
    expect(matchesFilter({ where: { stage: 'WON' } }, event, fields)).toBe(true);
    expect(matchesFilter({ where: { stage: ['LOST', 'WON'] } }, event, fields)).toBe(true);
    expect(matchesFilter({ where: { stage: ['LOST', 'OPEN'] } }, event, fields)).toBe(false);
    expect(matchesFilter({ where: { stage: 'WON', amount: 12.5, archived: false } }, event, fields)).toBe(
      true,
    );
    expect(matchesFilter({ where: { stage: 'WON', amount: 13 } }, event, fields)).toBe(false);
    // Types do not coerce: "12.5" is not 12.5, 0 is not false.
    expect(matchesFilter({ where: { amount: '12.5' } }, event, fields)).toBe(false);
    expect(matchesFilter({ where: { archived: 0 } }, event, fields)).toBe(false);
  });

  it('where: an absent field counts as null; objects and arrays equal no scalar', () => {
    const event = { action: 'deleted' };
    expect(matchesFilter({ where: { owner: null } }, event, fields)).toBe(true);
    expect(matchesFilter({ where: { missing: null } }, event, fields)).toBe(true);
    expect(matchesFilter({ where: { missing: 'x' } }, event, fields)).toBe(false);
    expect(matchesFilter({ where: { tags: 'a' } }, event, fields)).toBe(false);
    // Inherited names are not fields.
    expect(matchesFilter({ where: { toString: null } }, event, () => ({}))).toBe(true);
  });

  it('both parts must pass, and the record is read only for a where', () => {
    let reads = 0;
    const counted = () => {
      reads++;
      return record;
    };
    expect(
      matchesFilter({ updatedFields: ['stage'] }, { action: 'updated', updatedFields: ['stage'] }, counted),
    ).toBe(true);
    expect(reads).toBe(0);
    const both: WebhookFilter = { updatedFields: ['stage'], where: { stage: 'LOST' } };
    expect(matchesFilter(both, { action: 'updated', updatedFields: ['stage'] }, counted)).toBe(false);
    expect(reads).toBe(1);
  });

  it('a where on a value always matches the record holding it (property)', () => {
    const scalar = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), scalar, { minKeys: 1 }), (item) => {
        const [field, value] = Object.entries(item)[0] as [string, string | number | boolean | null];
        expect(matchesFilter({ where: { [field]: value } }, { action: 'created' }, () => item)).toBe(true);
      }),
    );
  });
});
