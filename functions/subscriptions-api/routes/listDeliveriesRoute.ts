/** `GET /webhooks/{id}/deliveries`: the webhook's delivery log, a page at a time. */

import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import { jsonResponse } from '../httpResponses';
import { parseQuery, webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { pageQuerySchema } from '../schemas';
import { requireWebhook } from '../services/requireWebhook';

export function listDeliveriesRoute(deps: SubscriptionsApiDependencies): RouteDefinition {
  return {
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    auth: true,
    async handle({ event, workspaceId }) {
      const id = webhookIdFrom(event);
      const { limit, cursor } = parseQuery(pageQuerySchema, event);
      // The log is keyed by webhook id alone: check ownership before reading it.
      await requireWebhook(deps.webhooks, workspaceId, id);
      const page = await deps.deliveryLog.list(id, { limit, ...(cursor ? { cursor } : {}) });
      return jsonResponse(200, { data: page.items, nextCursor: page.nextCursor });
    },
  };
}
