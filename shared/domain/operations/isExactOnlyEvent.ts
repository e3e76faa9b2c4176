/** Whether an event is matched by exact subscriptions only (the CRM config's `exactOnly`). */

import type { CrmObjectConfig } from '../../config/crmSourcesConfig';

/** Whether the CRM config marks `object.action` as matched by exact subscriptions only (`exactOnly`). */
export function isExactOnlyEvent(
  objects: Readonly<Record<string, CrmObjectConfig>> | undefined,
  object: string,
  action: string,
): boolean {
  // Own keys only: an object may be called `constructor`.
  if (objects === undefined || !Object.hasOwn(objects, object)) return false;
  const exactOnly = objects[object]?.exactOnly;
  if (exactOnly === undefined) return false;
  return exactOnly === true || (exactOnly as readonly string[]).includes(action);
}
