/** The changes a user, or a rotation, may make to a webhook. */

import type { Webhook } from './webhook';

/** Fields a user (or rotation) may change; `status` and `disabledReason` included. */
export type WebhookChanges = Partial<
  Pick<
    Webhook,
    | 'targetUrl'
    | 'operations'
    | 'description'
    | 'payloadFormat'
    | 'filter'
    | 'headerNames'
    | 'sealedHeaders'
    | 'rateLimit'
    | 'maxConcurrentDeliveries'
    | 'status'
    | 'disabledReason'
    | 'sealedSecret'
    | 'sealedPreviousSecret'
    | 'secretVersionId'
    | 'previousSecretVersionId'
    | 'previousSecretExpiresAt'
    | 'failingSince'
  >
>;
