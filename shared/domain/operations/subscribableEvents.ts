/** What a webhook's `operations` can usefully name, as `GET /objects` lists it. */

import type { CrmSourcesConfig } from '../../config/crmSourcesConfig';
import { CRM_ACTIONS, type CrmAction } from '../events/crmEvent';

/** What a webhook's `operations` can usefully name, as the configured CRM sources produce events. */
export interface SubscribableEvents {
  /** Object names fixed by the config (one table per object), sorted. */
  objects: string[];
  /**
   * True when a single-table source names its objects in an item attribute: any object name may then
   * occur, so a client must also accept names that are not listed.
   */
  anyObject: boolean;
  actions: readonly CrmAction[];
}

export function subscribableEvents(config: CrmSourcesConfig): SubscribableEvents {
  const objects = new Set<string>();
  let anyObject = false;
  for (const table of config.crmTables) {
    if (table.object !== undefined) objects.add(table.object);
    else anyObject = true;
  }
  return { objects: [...objects].sort(), anyObject, actions: CRM_ACTIONS };
}
