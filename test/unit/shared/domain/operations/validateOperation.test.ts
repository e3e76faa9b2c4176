import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPERATIONS,
  normalizeOperations,
  operationError,
} from '../../../../../shared/domain/operations/validateOperation';

describe('operationError', () => {
  it.each([
    '*.*',
    'person.*',
    '*.created',
    'person.created',
    'workspaceMember.updated',
    'note.deleted',
    'task.restored',
    'opportunity.destroyed',
    'object2.created',
  ])('accepts %s', (operation) => {
    expect(operationError(operation)).toBeUndefined();
  });

  it.each([
    ['person', /must have the form <object\|\*>\.<action\|\*>/],
    ['person.created.now', /must have the form/],
    ['', /must have the form/],
    ['.created', /object "" must be "\*" or a camelCase object name/],
    ['Person.created', /object "Person"/],
    ['per-son.created', /object "per-son"/],
    ['1person.created', /object "1person"/],
    ['per*.created', /object "per\*"/],
    [
      'person.create',
      /action "create" must be "\*" or one of created, updated, deleted, restored, destroyed/,
    ],
    ['person.', /action ""/],
    ['person.test', /action "test"/],
    ['webhook.test', /action "test"/],
  ])('rejects %j with a message naming the problem', (operation, message) => {
    expect(operationError(operation)).toMatch(message);
  });

  it('rejects object names longer than 63 characters', () => {
    expect(operationError(`${'a'.repeat(63)}.created`)).toBeUndefined();
    expect(operationError(`${'a'.repeat(64)}.created`)).toMatch(/object/);
  });
});

describe('normalizeOperations', () => {
  it('defaults to everything', () => {
    expect(normalizeOperations(undefined)).toEqual(['*.*']);
    expect(DEFAULT_OPERATIONS).toEqual(['*.*']);
  });

  it('removes duplicates and keeps the order', () => {
    expect(normalizeOperations(['b.created', 'a.*', 'b.created'])).toEqual(['b.created', 'a.*']);
    expect(normalizeOperations([])).toEqual([]);
  });

  it('returns a fresh array the caller may change', () => {
    const first = normalizeOperations(undefined);
    first.push('x');
    expect(normalizeOperations(undefined)).toEqual(['*.*']);
  });
});
