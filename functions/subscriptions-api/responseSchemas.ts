/** Response shapes, for the OpenAPI document only (built by `npm run openapi`; responses are built from typed domain values). */

import * as z from 'zod/mini';
import '../../shared/config/zodEnglishErrors';
import { ATTEMPT_OUTCOMES } from '../../shared/domain/delivery/deliveryAttempt';
import { CRM_ACTIONS } from '../../shared/domain/events/crmEvent';
import { PAYLOAD_FORMATS, WEBHOOK_STATUSES } from '../../shared/domain/webhooks/webhook';
import { withMetadata } from './schemaMetadata';

const timestamp = withMetadata(z.string(), { format: 'date-time', example: '2026-01-31T12:00:00.000Z' });
const integer = () => z.number().check(z.int());
const filterValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const webhookViewSchema = withMetadata(
  z.object({
    id: withMetadata(z.string(), { example: 'wh_3mJr7AoUXx2Wqd2bTzmxvA' }),
    workspaceId: z.string(),
    targetUrl: z.string(),
    operations: z.array(z.string()),
    description: z.optional(z.string()),
    payloadFormat: z.enum(PAYLOAD_FORMATS),
    filter: withMetadata(
      z.optional(
        z.object({
          updatedFields: z.optional(z.array(z.string())),
          where: z.optional(z.record(z.string(), z.union([filterValue, z.array(filterValue)]))),
        }),
      ),
      { description: 'The field filter, when set' },
    ),
    headers: withMetadata(z.optional(z.array(z.string())), {
      description: 'Names of the custom request headers (their values are never returned)',
    }),
    rateLimit: withMetadata(z.optional(z.number()), {
      description: 'Most deliveries per second, when set (excess deliveries wait, never dropped)',
    }),
    maxConcurrentDeliveries: withMetadata(z.optional(integer()), {
      description: 'Most requests in flight at once to the endpoint, when set',
    }),
    status: z.enum(WEBHOOK_STATUSES),
    createdAt: timestamp,
    updatedAt: timestamp,
    previousSecretExpiresAt: withMetadata(z.optional(timestamp), {
      description: 'Until then the previous secret also signs (after a rotation)',
    }),
    failingSince: withMetadata(z.optional(timestamp), {
      description: 'Start of the current run of failed attempts',
    }),
    disabledReason: withMetadata(z.optional(z.string()), {
      description: '`gone` (410 answer), `failing` or `user`',
    }),
  }),
  { id: 'Webhook' },
);

export const createdWebhookSchema = z.extend(webhookViewSchema, {
  secret: withMetadata(z.string(), {
    description: 'Signing secret (`whsec_…`). Shown only here and on rotation: store it now.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
});

export const webhookPageSchema = z.object({
  data: z.array(webhookViewSchema),
  nextCursor: withMetadata(z.nullable(z.string()), {
    description: 'Pass as `cursor` for the next page; null at the end',
  }),
});

export const rotatedSecretSchema = z.object({
  secret: withMetadata(z.string(), { description: 'The new signing secret, shown once' }),
  previousSecretExpiresAt: withMetadata(timestamp, {
    description: 'Deliveries are signed with both secrets until then',
  }),
});

export const testEventAcceptedSchema = z.object({
  eventId: withMetadata(z.string(), { example: 'evt_5f0c3d2e9a8b4c1d8e7f6a5b4c3d2e1f' }),
  deliveryId: withMetadata(z.string(), {
    description: 'The `webhook-id` header the test request will carry',
  }),
});

const deliveryAttemptSchema = withMetadata(
  z.object({
    webhookId: z.string(),
    deliveryId: z.string(),
    eventId: z.string(),
    event: withMetadata(z.string(), { example: 'person.created' }),
    attempt: withMetadata(integer(), { description: '1-based attempt number' }),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    cause: withMetadata(z.optional(z.string()), { example: 'http-5xx' }),
    statusCode: z.optional(integer()),
    durationMs: z.number(),
    error: z.optional(z.string()),
    responseBody: withMetadata(z.optional(z.string()), { description: 'First KB of the response body' }),
    attemptedAt: timestamp,
    nextAttemptAt: z.optional(timestamp),
  }),
  { id: 'DeliveryAttempt' },
);

export const deliveryPageSchema = z.object({
  data: z.array(deliveryAttemptSchema),
  nextCursor: z.nullable(z.string()),
});

export const redriveResultSchema = z.object({
  redriven: withMetadata(integer(), { description: 'Dead-lettered jobs sent back by this call' }),
  more: withMetadata(z.boolean(), {
    description: 'True when the call ran out of time before the end: call again to move the rest',
  }),
});

export const resendAcceptedSchema = z.object({
  deliveryId: withMetadata(z.string(), { description: 'The same `webhook-id` as the original delivery' }),
  eventId: withMetadata(z.string(), { example: 'evt_5f0c3d2e9a8b4c1d8e7f6a5b4c3d2e1f' }),
});

export const problemSchema = z.object({
  type: withMetadata(z.string(), { example: 'urn:crm-webhooks:problem:validation-error' }),
  title: z.string(),
  status: integer(),
  detail: z.string(),
  errors: z.optional(
    z.array(z.object({ path: withMetadata(z.string(), { example: 'targetUrl' }), message: z.string() })),
  ),
});

export const subscribableEventsSchema = withMetadata(
  z.object({
    objects: withMetadata(z.array(z.string()), {
      description: 'Object names the configured CRM tables produce (one table per object), sorted',
      example: ['company', 'note', 'opportunity', 'person', 'task'],
    }),
    anyObject: withMetadata(z.boolean(), {
      description:
        'True when a single-table source names its objects in an item attribute: other object names may then occur',
    }),
    actions: z.array(z.enum(CRM_ACTIONS)),
  }),
  { id: 'SubscribableEvents' },
);
