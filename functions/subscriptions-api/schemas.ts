import * as z from 'zod/mini';
import '../../shared/config/zodEnglishErrors';
import {
  MAX_OPERATIONS,
  normalizeOperations,
  operationError,
} from '../../shared/domain/operations/validateOperation';
import { PAYLOAD_FORMATS, WEBHOOK_STATUSES } from '../../shared/domain/webhooks/webhook';
import { withMetadata } from './schemaMetadata';
import { MAX_TARGET_URL_LENGTH, type TargetUrlPolicy, targetUrlError } from './targetUrlError';

/*
 * Request schemas: they validate every request and are also the source of the OpenAPI document
 * (openapiDocument.ts), so the documentation cannot drift from what the API accepts. Written with
 * `zod/mini` so the Lambda bundle leaves out classic zod and its locales.
 */

export const MAX_DESCRIPTION_LENGTH = 500;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
/** Longest `object.action` the domain accepts is 63 + 1 + 9 characters; anything longer is noise. */
const MAX_OPERATION_LENGTH = 80;

function targetUrlSchema(policy: TargetUrlPolicy) {
  return withMetadata(
    z.string().check(
      z.superRefine((value, ctx) => {
        const error = targetUrlError(value, policy);
        if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
      }),
    ),
    {
      description: `Absolute https URL (at most ${MAX_TARGET_URL_LENGTH} characters, no credentials) on a public host; private, loopback, link-local, CGNAT, multicast and metadata addresses are refused.`,
      example: 'https://example.com/hooks/crm',
      maxLength: MAX_TARGET_URL_LENGTH,
      format: 'uri',
    },
  );
}

const operationsSchema = withMetadata(
  z.pipe(
    z
      .array(
        z.string().check(
          z.maxLength(MAX_OPERATION_LENGTH),
          z.superRefine((value, ctx) => {
            const error = operationError(value);
            if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
          }),
        ),
      )
      .check(
        z.minLength(1, 'must list at least one operation (use "*.*" for every event)'),
        z.maxLength(MAX_OPERATIONS, `must list at most ${MAX_OPERATIONS} operations`),
      ),
    z.transform((operations: string[]) => normalizeOperations(operations)),
  ),
  {
    description:
      'Event filters `<object|*>.<action|*>`; actions are created, updated, deleted, restored, destroyed. Duplicates are removed. Defaults to `["*.*"]` (every event).',
    example: ['person.created', 'company.*'],
  },
);

const descriptionSchema = withMetadata(z.string().check(z.maxLength(MAX_DESCRIPTION_LENGTH)), {
  description: 'Free text for people',
  example: 'Sync people to the data warehouse',
});

const payloadFormatSchema = withMetadata(z.enum(PAYLOAD_FORMATS), {
  description: "`default`: this product's payload; `twenty`: the body Twenty CRM itself sends.",
});

export function createWebhookRequestSchema(policy: TargetUrlPolicy) {
  return z.strictObject({
    targetUrl: targetUrlSchema(policy),
    operations: z.optional(operationsSchema),
    description: z.optional(descriptionSchema),
    payloadFormat: z.optional(payloadFormatSchema),
  });
}

export function updateWebhookRequestSchema(policy: TargetUrlPolicy) {
  return z
    .strictObject({
      targetUrl: z.optional(targetUrlSchema(policy)),
      operations: z.optional(operationsSchema),
      description: withMetadata(z.optional(z.nullable(descriptionSchema)), {
        description: '`null` removes it',
      }),
      payloadFormat: z.optional(payloadFormatSchema),
      status: withMetadata(z.optional(z.enum(WEBHOOK_STATUSES)), {
        description: '`disabled` stops deliveries; `active` re-enables (and clears the failure state).',
      }),
    })
    .check(
      z.refine((changes) => Object.keys(changes).length > 0, { message: 'must change at least one field' }),
    );
}

export type CreateWebhookRequest = z.output<ReturnType<typeof createWebhookRequestSchema>>;
export type UpdateWebhookRequest = z.output<ReturnType<typeof updateWebhookRequestSchema>>;

const PAGE_SIZE_RULE = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

export const pageQuerySchema = z.object({
  limit: withMetadata(
    z._default(
      z.coerce
        .number({ error: PAGE_SIZE_RULE })
        .check(z.int(PAGE_SIZE_RULE), z.minimum(1, PAGE_SIZE_RULE), z.maximum(MAX_PAGE_SIZE, PAGE_SIZE_RULE)),
      DEFAULT_PAGE_SIZE,
    ),
    { description: `Page size (1-${MAX_PAGE_SIZE})`, example: 20 },
  ),
  cursor: withMetadata(z.optional(z.string().check(z.maxLength(2048))), {
    description: 'The `nextCursor` of the previous page, passed back unchanged',
  }),
});

export type PageQuery = z.output<typeof pageQuerySchema>;

export const WEBHOOK_ID_PATTERN = /^wh_[A-Za-z0-9_-]{8,64}$/;

export const webhookIdParamsSchema = z.object({
  id: withMetadata(z.string().check(z.regex(WEBHOOK_ID_PATTERN)), { example: 'wh_3mJr7AoUXx2Wqd2bTzmxvA' }),
});
