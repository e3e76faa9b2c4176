import { jsonResponse } from '../httpResponses';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { requireWebhook } from '../services/requireWebhook';
import { sendTestEvent } from '../services/sendTestEvent';

export function sendTestEventRoute(deps: RouteDeps): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/test',
    auth: true,
    async handle({ event, workspaceId }) {
      const webhook = await requireWebhook(deps.webhooks, workspaceId, webhookIdFrom(event));
      const accepted = await sendTestEvent(
        { sqs: deps.sqs, deliveriesQueueUrl: deps.config.deliveriesQueueUrl },
        webhook,
        deps.now(),
      );
      return jsonResponse(202, accepted);
    },
  };
}
