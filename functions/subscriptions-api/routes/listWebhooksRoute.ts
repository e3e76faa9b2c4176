/** `GET /webhooks`: the workspace's webhooks, a page at a time. */

import { toWebhookView } from '../../../shared/domain/webhooks/webhook';
import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import { jsonResponse } from '../httpResponses';
import { parseQuery } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { pageQuerySchema } from '../schemas';

export function listWebhooksRoute(deps: SubscriptionsApiDependencies): RouteDefinition {
  return {
    method: 'GET',
    path: '/webhooks',
    auth: true,
    async handle({ event, workspaceId }) {
      const { limit, cursor } = parseQuery(pageQuerySchema, event);
      const page = await deps.webhooks.list(workspaceId, { limit, ...(cursor ? { cursor } : {}) });
      return jsonResponse(200, { data: page.items.map(toWebhookView), nextCursor: page.nextCursor });
    },
  };
}
