import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesOperation } from '../../../../../shared/domain/operations/matchesOperation';

describe('matchesOperation', () => {
  it('matches exact-only events only with the exact operation (as Twenty does for workflowRun.updated)', () => {
    expect(matchesOperation(['workflowRun.updated'], 'workflowRun.updated', true)).toBe(true);
    for (const operation of ['*.*', 'workflowRun.*', '*.updated']) {
      expect(matchesOperation([operation], 'workflowRun.updated', true)).toBe(false);
      expect(matchesOperation([operation], 'workflowRun.updated')).toBe(true);
    }
  });

  it('matches object.action, object.*, *.action and *.*', () => {
    for (const operation of ['person.created', 'person.*', '*.created', '*.*']) {
      expect(matchesOperation([operation], 'person.created')).toBe(true);
    }
  });

  it('does not match other objects or actions', () => {
    for (const operation of [
      'company.created',
      'person.updated',
      'company.*',
      '*.deleted',
      'person',
      '*',
      'person.created.x',
      '',
    ]) {
      expect(matchesOperation([operation], 'person.created')).toBe(false);
    }
    expect(matchesOperation([], 'person.created')).toBe(false);
  });

  it('is exact and case-sensitive: no prefixes, no regex semantics', () => {
    expect(matchesOperation(['person.created'], 'personal.created')).toBe(false);
    expect(matchesOperation(['Person.created'], 'person.created')).toBe(false);
    expect(matchesOperation(['per*.created'], 'person.created')).toBe(false);
    expect(matchesOperation(['*.create'], 'person.created')).toBe(false);
  });

  it('matches when any operation of the list matches', () => {
    expect(matchesOperation(['company.*', 'note.deleted', '*.updated'], 'person.updated')).toBe(true);
    expect(matchesOperation(['company.*', 'note.deleted'], 'person.updated')).toBe(false);
  });

  it('never matches malformed event names', () => {
    expect(matchesOperation(['*.*'], 'person')).toBe(false);
    expect(matchesOperation(['*.*'], '.created')).toBe(false);
  });

  it('agrees with a brute-force reference (property)', () => {
    const objects = ['person', 'company', 'note', 'workspaceMember'];
    const actions = ['created', 'updated', 'deleted', 'restored', 'destroyed'];
    const operationArb = fc.oneof(
      fc
        .tuple(fc.constantFrom('*', ...objects), fc.constantFrom('*', ...actions))
        .map(([o, a]) => `${o}.${a}`),
      fc.string({ maxLength: 12 }),
    );
    // Reference: expand every operation to the set of event names it stands for, then look the event up.
    const expand = (operation: string): string[] => {
      const parts = operation.split('.');
      if (parts.length !== 2) return [];
      const [o, a] = parts as [string, string];
      const os = o === '*' ? objects : [o];
      const as = a === '*' ? actions : [a];
      return os.flatMap((x) => as.map((y) => `${x}.${y}`));
    };
    fc.assert(
      fc.property(
        fc.array(operationArb, { maxLength: 6 }),
        fc.constantFrom(...objects),
        fc.constantFrom(...actions),
        (operations, object, action) => {
          const event = `${object}.${action}`;
          const expected = operations.flatMap(expand).includes(event);
          expect(matchesOperation(operations, event)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
