/** `DELETE /webhooks/{id}`. */

import { SUBSCRIPTIONS_API_METRICS } from '../../../shared/observability/metricCatalog';
import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import { noContentResponse } from '../httpResponses';
import { webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { deleteWebhook } from '../services/deleteWebhook';

export function deleteWebhookRoute(deps: SubscriptionsApiDependencies): RouteDefinition {
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
            deps.logger.error('webhook deleted but its secret could not be scheduled for deletion', {
              webhookId,
              error,
            });
            deps.metrics.addMetric(
              'SecretDeletionFailed',
              SUBSCRIPTIONS_API_METRICS.SecretDeletionFailed.unit,
              1,
            );
          },
        },
        workspaceId,
        webhookIdFrom(event),
      );
      return noContentResponse();
    },
  };
}
