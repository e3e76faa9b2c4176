import { CRM_ACTIONS } from '../../../shared/domain/events/crmEvent';
import type { SubscribableEvents } from '../../../shared/domain/operations/subscribableEvents';
import { jsonResponse } from '../httpResponses';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';

/** Without the CRM sources config nothing is known: no objects listed, any object possible. */
const UNKNOWN: SubscribableEvents = { objects: [], anyObject: true, actions: CRM_ACTIONS };

/**
 * The objects and actions a webhook's `operations` can name, from the configured CRM sources (the
 * console draws its operation checkboxes from it). Authenticated: table layout is nobody else's business.
 */
export function listObjectsRoute(deps: RouteDeps): RouteDefinition {
  const body = deps.config.subscribableEvents ?? UNKNOWN;
  return {
    method: 'GET',
    path: '/objects',
    auth: true,
    async handle() {
      return jsonResponse(200, body);
    },
  };
}
