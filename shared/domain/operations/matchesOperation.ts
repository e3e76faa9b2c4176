/**
 * Twenty's matching rule: a webhook receives `object.action` when its operations contain
 * `object.action`, `object.*`, `*.action` or `*.*`.
 */
export function matchesOperation(operations: readonly string[], eventName: string): boolean {
  const dot = eventName.indexOf('.');
  if (dot <= 0) return false;
  const object = eventName.slice(0, dot);
  const action = eventName.slice(dot + 1);
  for (const operation of operations) {
    if (
      operation === eventName ||
      operation === '*.*' ||
      operation === `${object}.*` ||
      operation === `*.${action}`
    ) {
      return true;
    }
  }
  return false;
}
