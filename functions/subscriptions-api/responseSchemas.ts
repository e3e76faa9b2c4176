import { z } from 'zod';
import { ATTEMPT_OUTCOMES } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { PAYLOAD_FORMATS, WEBHOOK_STATUSES } from '../../shared/domain/webhooks/webhook';

/* Response shapes, for the OpenAPI document only (responses are built from typed domain values). */

const timestamp = z.string().meta({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' });

export const webhookViewSchema = z
  .object({
    id: z.string().meta({ example: 'wh_3mJr7AoUXx2Wqd2bTzmxvA' }),
    workspaceId: z.string(),
    targetUrl: z.string(),
    operations: z.array(z.string()),
    description: z.string().optional(),
    payloadFormat: z.enum(PAYLOAD_FORMATS),
    status: z.enum(WEBHOOK_STATUSES),
    createdAt: timestamp,
    updatedAt: timestamp,
    previousSecretExpiresAt: timestamp
      .optional()
      .meta({ description: 'Until then the previous secret also signs (after a rotation)' }),
    failingSince: timestamp.optional().meta({ description: 'Start of the current run of failed attempts' }),
    disabledReason: z.string().optional().meta({ description: '`gone` (410 answer), `failing` or `user`' }),
  })
  .meta({ id: 'Webhook' });

export const createdWebhookSchema = webhookViewSchema.extend({
  secret: z.string().meta({
    description: 'Signing secret (`whsec_…`). Shown only here and on rotation: store it now.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
});

export const webhookPageSchema = z.object({
  data: z.array(webhookViewSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: 'Pass as `cursor` for the next page; null at the end' }),
});

export const rotatedSecretSchema = z.object({
  secret: z.string().meta({ description: 'The new signing secret, shown once' }),
  previousSecretExpiresAt: timestamp.meta({
    description: 'Deliveries are signed with both secrets until then',
  }),
});

export const testEventAcceptedSchema = z.object({
  eventId: z.string().meta({ example: 'evt_5f0c3d2e9a8b4c1d8e7f6a5b4c3d2e1f' }),
  deliveryId: z.string().meta({ description: 'The `webhook-id` header the test request will carry' }),
});

export const deliveryAttemptSchema = z
  .object({
    webhookId: z.string(),
    deliveryId: z.string(),
    eventId: z.string(),
    event: z.string().meta({ example: 'person.created' }),
    attempt: z.number().int().meta({ description: '1-based attempt number' }),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    cause: z.string().optional().meta({ example: 'http-5xx' }),
    statusCode: z.number().int().optional(),
    durationMs: z.number(),
    error: z.string().optional(),
    responseBody: z.string().optional().meta({ description: 'First KB of the response body' }),
    attemptedAt: timestamp,
    nextAttemptAt: timestamp.optional(),
  })
  .meta({ id: 'DeliveryAttempt' });

export const deliveryPageSchema = z.object({
  data: z.array(deliveryAttemptSchema),
  nextCursor: z.string().nullable(),
});

export const redriveResultSchema = z.object({
  redriven: z.number().int().meta({ description: 'Jobs moved back from the dead-letter queue' }),
});

export const problemSchema = z.object({
  type: z.string().meta({ example: 'urn:crm-webhooks:problem:validation-error' }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z
    .array(z.object({ path: z.string().meta({ example: 'targetUrl' }), message: z.string() }))
    .optional(),
});
