/** `POST /webhooks`: creates a webhook and returns its signing secret once. */

import { toWebhookView } from '../../../shared/domain/webhooks/webhook';
import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from '../config';
import { secretBearingJsonResponse } from '../httpResponses';
import { parseJsonBody } from '../requestBody';
import { parseBody } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { createWebhookRequestSchema } from '../schemas';
import { createWebhookWithSecret } from '../services/createWebhookWithSecret';

export function createWebhookRoute(
  config: SubscriptionsApiConfig,
  deps: SubscriptionsApiDependencies,
): RouteDefinition {
  const schema = createWebhookRequestSchema({
    localMode: config.localMode,
    producibleObjects: config.producibleObjects,
  });
  return {
    method: 'POST',
    path: '/webhooks',
    auth: true,
    async handle({ event, workspaceId }) {
      const request = parseBody(schema, parseJsonBody(event, config.maxBodyBytes));
      const { webhook, secret } = await createWebhookWithSecret(
        {
          webhooks: deps.webhooks,
          secrets: deps.secrets,
          now: deps.now,
          maxWebhooksPerWorkspace: config.maxWebhooksPerWorkspace,
          onRollbackFailure: (webhookId, error) =>
            deps.logger.error('could not delete the secret of a webhook that failed to save', {
              webhookId,
              error,
            }),
        },
        workspaceId,
        request,
      );
      return secretBearingJsonResponse(
        201,
        { ...toWebhookView(webhook), secret },
        { Location: `/webhooks/${webhook.id}` },
      );
    },
  };
}
