import { toWebhookView } from '../../../shared/domain/webhooks/webhook';
import { jsonResponse } from '../httpResponses';
import { parseJsonBody } from '../requestBody';
import { parseBody, webhookIdFrom } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { updateWebhookRequestSchema } from '../schemas';
import { updateWebhook } from '../services/updateWebhook';

export function updateWebhookRoute(deps: RouteDeps): RouteDefinition {
  const schema = updateWebhookRequestSchema({
    localMode: deps.config.localMode,
    producibleObjects: deps.config.producibleObjects,
  });
  return {
    method: 'PATCH',
    path: '/webhooks/{id}',
    auth: true,
    async handle({ event, workspaceId }) {
      const id = webhookIdFrom(event);
      const request = parseBody(schema, parseJsonBody(event, deps.config.maxBodyBytes));
      const webhook = await updateWebhook(deps.webhooks, workspaceId, id, request, deps.now, deps.secrets);
      return jsonResponse(200, toWebhookView(webhook));
    },
  };
}
