import { toWebhookView } from '../../../shared/domain/webhooks/webhook';
import { secretBearingJsonResponse } from '../httpResponses';
import { logger } from '../observability';
import { parseJsonBody } from '../requestBody';
import { parseBody } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { createWebhookRequestSchema } from '../schemas';
import { createWebhookWithSecret } from '../services/createWebhookWithSecret';

export function createWebhookRoute(deps: RouteDeps): RouteDefinition {
  const schema = createWebhookRequestSchema({
    localMode: deps.config.localMode,
    producibleObjects: deps.config.producibleObjects,
  });
  return {
    method: 'POST',
    path: '/webhooks',
    auth: true,
    async handle({ event, workspaceId }) {
      const request = parseBody(schema, parseJsonBody(event, deps.config.maxBodyBytes));
      const { webhook, secret } = await createWebhookWithSecret(
        {
          webhooks: deps.webhooks,
          secrets: deps.secrets,
          maxWebhooksPerWorkspace: deps.config.maxWebhooksPerWorkspace,
          onRollbackFailure: (webhookId, error) =>
            logger.error('could not delete the secret of a webhook that failed to save', {
              webhookId,
              error,
            }),
        },
        workspaceId,
        request,
        deps.now(),
      );
      return secretBearingJsonResponse(
        201,
        { ...toWebhookView(webhook), secret },
        { Location: `/webhooks/${webhook.id}` },
      );
    },
  };
}
