/** `GET /webhooks/{id}`. */

import { toWebhookView } from '../../../shared/domain/webhooks/webhook';
import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import { jsonResponse } from '../httpResponses';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { requireWebhook } from '../services/requireWebhook';

export function getWebhookRoute(deps: SubscriptionsApiDependencies): RouteDefinition {
  return {
    method: 'GET',
    path: '/webhooks/{id}',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      return jsonResponse(200, toWebhookView(webhook));
    },
  };
}
