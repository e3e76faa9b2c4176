/** `PATCH /webhooks/{id}`. */

import { toWebhookView } from '../../../shared/domain/webhooks/webhook';
import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from '../config';
import { jsonResponse } from '../httpResponses';
import { parseJsonBody } from '../requestBody';
import { parseBody, webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { updateWebhookRequestSchema } from '../schemas';
import { updateWebhook } from '../services/updateWebhook';

export function updateWebhookRoute(
  config: SubscriptionsApiConfig,
  deps: SubscriptionsApiDependencies,
): RouteDefinition {
  const schema = updateWebhookRequestSchema({
    localMode: config.localMode,
    producibleObjects: config.producibleObjects,
  });
  return {
    method: 'PATCH',
    path: '/webhooks/{id}',
    auth: true,
    async handle({ event, workspaceId }) {
      const request = parseBody(schema, parseJsonBody(event, config.maxBodyBytes));
      const webhook = await updateWebhook(deps, workspaceId, webhookIdFrom(event), request);
      return jsonResponse(200, toWebhookView(webhook));
    },
  };
}
