import { SUBSCRIPTIONS_API_METRICS } from '../../../shared/observability/metricCatalog';
import { noContentResponse } from '../httpResponses';
import { logger, metrics } from '../observability';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition, RouteDeps } from '../routeDefinition';
import { deleteWebhook } from '../services/deleteWebhook';

export function deleteWebhookRoute(deps: RouteDeps): RouteDefinition {
  return {
    method: 'DELETE',
    path: '/webhooks/{id}',
    auth: true,
    async handle({ event, workspaceId }) {
      await deleteWebhook(
        {
          webhooks: deps.webhooks,
          secrets: deps.secrets,
          onSecretDeletionFailure: (webhookId, error) => {
            logger.error('webhook deleted but its secret could not be scheduled for deletion', {
              webhookId,
              error,
            });
            metrics.addMetric('SecretDeletionFailed', SUBSCRIPTIONS_API_METRICS.SecretDeletionFailed.unit, 1);
          },
        },
        workspaceId,
        webhookIdFrom(event),
      );
      return noContentResponse();
    },
  };
}
