/** `POST /webhooks/{id}/deliveries/{deliveryId}/resend`: sends one dead-lettered delivery again. */

import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import { jsonResponse } from '../httpResponses';
import { deliveryIdFrom, webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { requireWebhook } from '../services/requireWebhook';
import { resendDelivery } from '../services/resendDelivery';

export function resendDeliveryRoute(deps: SubscriptionsApiDependencies): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/deliveries/{deliveryId}/resend',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      return jsonResponse(202, await resendDelivery(deps, webhook, deliveryIdFrom(event)));
    },
  };
}
