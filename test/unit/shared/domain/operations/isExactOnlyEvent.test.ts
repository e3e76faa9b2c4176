import { describe, expect, it } from 'vitest';
import { isExactOnlyEvent } from '../../../../../shared/domain/operations/isExactOnlyEvent';

describe('isExactOnlyEvent', () => {
  it('reads the config: true for every action, a list for some, own keys only', () => {
    const objects = {
      workflowRun: { exactOnly: ['updated' as const] },
      auditEntry: { exactOnly: true as const },
    };
    expect(isExactOnlyEvent(objects, 'workflowRun', 'updated')).toBe(true);
    expect(isExactOnlyEvent(objects, 'workflowRun', 'created')).toBe(false);
    expect(isExactOnlyEvent(objects, 'auditEntry', 'destroyed')).toBe(true);
    expect(isExactOnlyEvent(objects, 'person', 'updated')).toBe(false);
    expect(isExactOnlyEvent(objects, 'constructor', 'updated')).toBe(false);
    expect(isExactOnlyEvent(undefined, 'workflowRun', 'updated')).toBe(false);
  });
});
