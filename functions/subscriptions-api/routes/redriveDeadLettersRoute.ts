/** `POST /webhooks/{id}/redrive`: sends the webhook's dead letters back to the deliveries queue. */

import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from '../config';
import { jsonResponse } from '../httpResponses';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { redriveDeadLetters } from '../services/redriveDeadLetters';
import { requireWebhook } from '../services/requireWebhook';

export function redriveDeadLettersRoute(
  config: SubscriptionsApiConfig,
  deps: SubscriptionsApiDependencies,
): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/redrive',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      const result = await redriveDeadLetters(deps, webhook, config.redriveTimeBudgetMs);
      deps.logger.info('dead-letter redrive', { webhookId: webhook.id, ...result });
      return jsonResponse(202, result);
    },
  };
}
