import { jsonResponse } from '../httpResponses';
import { logger } from '../observability';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { WebhookDisabledError } from '../services/errors';
import { requireWebhook } from '../services/requireWebhook';

export function redriveDeadLettersRoute(deps: RouteDeps): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/redrive',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      // Jobs of a disabled webhook are skipped by the delivery function: redriving them would lose them.
      if (webhook.status !== 'active') throw new WebhookDisabledError(webhook.id, 'redrive its jobs');
      const result = await deps.redrive.redrive(webhook.id);
      logger.info('dead-letter redrive', { webhookId: webhook.id, ...result });
      return jsonResponse(202, { redriven: result.redriven });
    },
  };
}
