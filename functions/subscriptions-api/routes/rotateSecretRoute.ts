/** `POST /webhooks/{id}/rotate-secret`: a new signing secret, the previous one signing for 24 h more. */

import type { SubscriptionsApiDependencies } from '../buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from '../config';
import { secretBearingJsonResponse } from '../httpResponses';
import { parseJsonBody, readRawBody } from '../requestBody';
import { parseBody, webhookIdFrom } from '../requestInput';
import type { RouteDefinition } from '../routeDefinition';
import { rotateSecretRequestSchema } from '../schemas';
import { rotateWebhookSecret } from '../services/rotateWebhookSecret';

export function rotateSecretRoute(
  config: SubscriptionsApiConfig,
  deps: SubscriptionsApiDependencies,
): RouteDefinition {
  return {
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    auth: true,
    async handle({ event, workspaceId }) {
      // The body is optional: none (or `{}`) generates a new secret, `{"secret": ...}` imports one.
      const request =
        readRawBody(event, config.maxBodyBytes) === undefined
          ? {}
          : parseBody(rotateSecretRequestSchema, parseJsonBody(event, config.maxBodyBytes));
      const rotated = await rotateWebhookSecret(deps, workspaceId, webhookIdFrom(event), request.secret);
      return secretBearingJsonResponse(200, rotated);
    },
  };
}
