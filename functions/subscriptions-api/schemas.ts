import { z } from 'zod';
import {
  MAX_OPERATIONS,
  normalizeOperations,
  operationError,
} from '../../shared/domain/operations/validateOperation';
import { PAYLOAD_FORMATS, WEBHOOK_STATUSES } from '../../shared/domain/webhooks/webhook';
import { MAX_TARGET_URL_LENGTH, type TargetUrlPolicy, targetUrlError } from './targetUrlError';

/*
 * Request schemas: they validate every request and are also the source of the OpenAPI document
 * (openapiDocument.ts), so the documentation cannot drift from what the API accepts.
 */

export const MAX_DESCRIPTION_LENGTH = 500;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
/** Longest `object.action` the domain accepts is 63 + 1 + 9 characters; anything longer is noise. */
const MAX_OPERATION_LENGTH = 80;

function targetUrlSchema(policy: TargetUrlPolicy) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const error = targetUrlError(value, policy);
      if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
    })
    .meta({
      description: `Absolute https URL (at most ${MAX_TARGET_URL_LENGTH} characters, no credentials) on a public host; private, loopback, link-local, CGNAT, multicast and metadata addresses are refused.`,
      example: 'https://example.com/hooks/crm',
      maxLength: MAX_TARGET_URL_LENGTH,
      format: 'uri',
    });
}

const operationsSchema = z
  .array(
    z
      .string()
      .max(MAX_OPERATION_LENGTH)
      .superRefine((value, ctx) => {
        const error = operationError(value);
        if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
      }),
  )
  .min(1, 'must list at least one operation (use "*.*" for every event)')
  .max(MAX_OPERATIONS, `must list at most ${MAX_OPERATIONS} operations`)
  .transform((operations) => normalizeOperations(operations))
  .meta({
    description:
      'Event filters `<object|*>.<action|*>`; actions are created, updated, deleted, restored, destroyed. Duplicates are removed. Defaults to `["*.*"]` (every event).',
    example: ['person.created', 'company.*'],
  });

const descriptionSchema = z
  .string()
  .max(MAX_DESCRIPTION_LENGTH)
  .meta({ description: 'Free text for people', example: 'Sync people to the data warehouse' });

const payloadFormatSchema = z.enum(PAYLOAD_FORMATS).meta({
  description: "`default`: this product's payload; `twenty`: the body Twenty CRM itself sends.",
});

export function createWebhookRequestSchema(policy: TargetUrlPolicy) {
  return z
    .object({
      targetUrl: targetUrlSchema(policy),
      operations: operationsSchema.optional(),
      description: descriptionSchema.optional(),
      payloadFormat: payloadFormatSchema.optional(),
    })
    .strict();
}

export function updateWebhookRequestSchema(policy: TargetUrlPolicy) {
  return z
    .object({
      targetUrl: targetUrlSchema(policy).optional(),
      operations: operationsSchema.optional(),
      description: descriptionSchema.nullable().optional().meta({ description: '`null` removes it' }),
      payloadFormat: payloadFormatSchema.optional(),
      status: z.enum(WEBHOOK_STATUSES).optional().meta({
        description: '`disabled` stops deliveries; `active` re-enables (and clears the failure state).',
      }),
    })
    .strict()
    .refine((changes) => Object.keys(changes).length > 0, { message: 'must change at least one field' });
}

export type CreateWebhookRequest = z.output<ReturnType<typeof createWebhookRequestSchema>>;
export type UpdateWebhookRequest = z.output<ReturnType<typeof updateWebhookRequestSchema>>;

export const pageQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .meta({ description: `Page size (1-${MAX_PAGE_SIZE})`, example: 20 }),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page, passed back unchanged' }),
});

export type PageQuery = z.output<typeof pageQuerySchema>;

export const WEBHOOK_ID_PATTERN = /^wh_[A-Za-z0-9_-]{8,64}$/;

export const webhookIdParamsSchema = z.object({
  id: z.string().regex(WEBHOOK_ID_PATTERN).meta({ example: 'wh_3mJr7AoUXx2Wqd2bTzmxvA' }),
});
