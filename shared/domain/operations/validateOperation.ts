/** Validates and normalizes a webhook's `operations` (`<object|*>.<action|*>` patterns). */

import { CRM_ACTIONS } from '../events/crmEvent';

export const DEFAULT_OPERATIONS = ['*.*'] as const;
export const MAX_OPERATIONS = 50;

const OBJECT_PATTERN = /^[a-z][a-zA-Z0-9]{0,62}$/;

/** Returns why an operation string is invalid, or undefined when it is valid. */
export function operationError(operation: string): string | undefined {
  const parts = operation.split('.');
  if (parts.length !== 2) {
    return `"${operation}" must have the form <object|*>.<action|*>, e.g. "person.created" or "*.updated"`;
  }
  const [object, action] = parts as [string, string];
  if (object !== '*' && !OBJECT_PATTERN.test(object)) {
    return `"${operation}": object "${object}" must be "*" or a camelCase object name such as "person"`;
  }
  if (action !== '*' && !(CRM_ACTIONS as readonly string[]).includes(action)) {
    return `"${operation}": action "${action}" must be "*" or one of ${CRM_ACTIONS.join(', ')}`;
  }
  return undefined;
}

/** De-duplicates while keeping the caller's order; a missing list means everything (`*.*`). */
export function normalizeOperations(operations: readonly string[] | undefined): string[] {
  if (operations === undefined) return [...DEFAULT_OPERATIONS];
  return [...new Set(operations)];
}
