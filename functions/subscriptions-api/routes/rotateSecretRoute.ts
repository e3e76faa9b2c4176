import { jsonResponse } from '../httpResponses';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { rotateWebhookSecret } from '../services/rotateWebhookSecret';

export function rotateSecretRoute(deps: RouteDeps): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    auth: true,
    async handle({ event, workspaceId }) {
      const rotated = await rotateWebhookSecret(deps, workspaceId, webhookIdFrom(event), deps.now);
      return jsonResponse(200, rotated);
    },
  };
}
