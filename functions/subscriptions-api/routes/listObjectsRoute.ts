/** `GET /objects`: the objects and actions a webhook's `operations` can name. */

import type { SubscriptionsApiConfig } from '../config';
import { jsonResponse } from '../httpResponses';
import type { RouteDefinition } from '../routeDefinition';

/**
 * The objects and actions a webhook's `operations` can name, from the configured CRM sources (the
 * console draws its operation checkboxes from it). Authenticated: table layout is nobody else's business.
 */
export function listObjectsRoute(config: SubscriptionsApiConfig): RouteDefinition {
  const body = config.subscribableEvents;
  return {
    method: 'GET',
    path: '/objects',
    auth: true,
    async handle() {
      return jsonResponse(200, body);
    },
  };
}
