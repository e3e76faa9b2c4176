/** The webhook (a subscription) as stored, and the view of it the API returns. */

import type { EndpointHealth } from '../health/endpointHealth';
import type { DeliveryLimits } from '../limits/deliveryLimits';
import type { WebhookFilter } from './webhookFilter';

export const PAYLOAD_FORMATS = ['default', 'twenty'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

export const WEBHOOK_STATUSES = ['active', 'disabled'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/**
 * A subscription as stored in the webhooks table (partition `workspaceId`, sort `id`), with its
 * optional delivery limits (`rateLimit`, `maxConcurrentDeliveries`). The endpoint health fields
 * (`EndpointHealth`) are written by the delivery function without bumping `version` and never shown by
 * the API.
 */
export interface Webhook extends DeliveryLimits, EndpointHealth {
  id: string;
  workspaceId: string;
  targetUrl: string;
  /** `object.action` patterns, `*` allowed on either side; default `["*.*"]`. */
  operations: string[];
  description?: string;
  payloadFormat: PayloadFormat;
  /** Optional field filter (`updatedFields`, `where`), applied by the event mapper. */
  filter?: WebhookFilter;
  status: WebhookStatus;
  createdAt: string;
  updatedAt: string;
  /*
   * Where the signing secrets live depends on the deployment's secret store (docs/architecture.md):
   * - envelope (default): `sealedSecret` / `sealedPreviousSecret`, AES-256-GCM envelopes under the
   *   stack's key secret, bound to this workspace and webhook id;
   * - per-webhook: `secretName` in Secrets Manager and the version ids of the current / previous secret.
   * Never the secret itself in clear.
   */
  sealedSecret?: string;
  sealedPreviousSecret?: string;
  /** Custom request headers: their names, and their values sealed together (envelope mode only). */
  headerNames?: string[];
  sealedHeaders?: string;
  secretName?: string;
  secretVersionId?: string;
  previousSecretVersionId?: string;
  /** Until when the previous secret still signs (ISO 8601). */
  previousSecretExpiresAt?: string;
  /** Failure bookkeeping: start of the current run of failed attempts (absent once an attempt succeeds). */
  failingSince?: string;
  lastDeliveryAt?: string;
  /** Why the webhook was disabled, when the system did it (`gone`, `failing`) rather than the user. */
  disabledReason?: 'gone' | 'failing' | 'user';
  /** Optimistic-lock counter, incremented by every write. */
  version: number;
}

/**
 * The public view: everything but internal bookkeeping, never a secret. It repeats `Webhook`'s fields on
 * purpose: an allow-list, so a field added to the row never reaches an API answer by accident.
 */
export interface WebhookView {
  id: string;
  workspaceId: string;
  targetUrl: string;
  operations: string[];
  description?: string;
  payloadFormat: PayloadFormat;
  filter?: WebhookFilter;
  /** Names of the custom request headers; their values are never shown. */
  headers?: string[];
  rateLimit?: number;
  maxConcurrentDeliveries?: number;
  status: WebhookStatus;
  createdAt: string;
  updatedAt: string;
  previousSecretExpiresAt?: string;
  failingSince?: string;
  disabledReason?: string;
}

export function toWebhookView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    workspaceId: webhook.workspaceId,
    targetUrl: webhook.targetUrl,
    operations: webhook.operations,
    ...(webhook.description === undefined ? {} : { description: webhook.description }),
    payloadFormat: webhook.payloadFormat,
    ...(webhook.filter === undefined ? {} : { filter: webhook.filter }),
    ...(webhook.headerNames === undefined ? {} : { headers: webhook.headerNames }),
    ...(webhook.rateLimit === undefined ? {} : { rateLimit: webhook.rateLimit }),
    ...(webhook.maxConcurrentDeliveries === undefined
      ? {}
      : { maxConcurrentDeliveries: webhook.maxConcurrentDeliveries }),
    status: webhook.status,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
    ...(webhook.previousSecretExpiresAt === undefined
      ? {}
      : { previousSecretExpiresAt: webhook.previousSecretExpiresAt }),
    ...(webhook.failingSince === undefined ? {} : { failingSince: webhook.failingSince }),
    ...(webhook.disabledReason === undefined ? {} : { disabledReason: webhook.disabledReason }),
  };
}
