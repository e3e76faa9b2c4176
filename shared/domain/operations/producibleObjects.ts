/** The objects the configured CRM sources can produce events for, and the operations that can never match. */

import type { CrmSourcesConfig } from '../../config/crmSourcesConfig';

/**
 * The objects the configured CRM sources can produce events for. A table with a fixed `object` produces
 * only that object; a single-table source whose object comes from an item attribute can produce any
 * camelCase name, so once one is configured every object name is possible.
 */
export type ProducibleObjects =
  | { kind: 'listed'; objects: readonly string[] }
  | { kind: 'any'; listed: readonly string[]; objectAttributes: readonly string[] };

export function producibleObjects(config: Pick<CrmSourcesConfig, 'crmTables'>): ProducibleObjects {
  const listed = [
    ...new Set(config.crmTables.flatMap((t) => (t.object === undefined ? [] : [t.object]))),
  ].sort();
  const objectAttributes = [
    ...new Set(config.crmTables.flatMap((t) => (t.objectAttribute === undefined ? [] : [t.objectAttribute]))),
  ];
  return objectAttributes.length > 0
    ? { kind: 'any', listed, objectAttributes }
    : { kind: 'listed', objects: listed };
}

/**
 * Why an operation (already of the valid `<object|*>.<action|*>` form) can never match an event, or
 * undefined. Wildcard objects always can. (Test events reach a webhook whatever its operations, so they
 * need no `webhook.*` entry.)
 */
export function unproducibleOperationError(
  operation: string,
  producible: ProducibleObjects,
): string | undefined {
  if (producible.kind === 'any') return undefined;
  const object = operation.slice(0, operation.indexOf('.'));
  if (object === '*' || producible.objects.includes(object)) return undefined;
  return `"${operation}": no CRM source produces "${object}" events; the configured objects are ${producible.objects.join(', ')}`;
}
