/**
 * Twenty's matching rule: a webhook receives `object.action` when its operations contain
 * `object.action`, `object.*`, `*.action` or `*.*` — except for exact-only events, which only an
 * exact `object.action` receives. Twenty makes `workflowRun.updated` exact-only
 * (`computeWebhookOperationsToMatch`, twentyhq/twenty
 * packages/twenty-server/src/engine/metadata-modules/webhook/utils/compute-webhook-operations-to-match.util.ts);
 * here the CRM config chooses them (`isExactOnlyEvent`).
 */
export function matchesOperation(
  operations: readonly string[],
  eventName: string,
  exactOnly = false,
): boolean {
  if (exactOnly) return operations.includes(eventName);
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
