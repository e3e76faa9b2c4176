/** `POST /webhooks/{id}/test`: enqueues a `webhook.test` event for the webhook. */

import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import { jsonResponse } from '../httpResponses';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { requireWebhook } from '../services/requireWebhook';
import { sendTestEvent } from '../services/sendTestEvent';

export function sendTestEventRoute(deps: SubscriptionsApiDependencies): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/test',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      return jsonResponse(202, await sendTestEvent(deps, webhook));
    },
  };
}
