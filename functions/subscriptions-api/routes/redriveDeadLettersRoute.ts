import { jsonResponse } from '../httpResponses';
import { logger } from '../observability';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { redriveDeadLetters } from '../services/redriveDeadLetters';
import { requireWebhook } from '../services/requireWebhook';

export function redriveDeadLettersRoute(deps: RouteDeps): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/redrive',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      const result = await redriveDeadLetters(deps, webhook, { budgetMs: deps.config.redriveTimeBudgetMs });
      logger.info('dead-letter redrive', { webhookId: webhook.id, ...result });
      return jsonResponse(202, result);
    },
  };
}
