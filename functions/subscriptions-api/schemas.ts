/**
 * Request schemas: they validate every request and are also the source of the OpenAPI document
 * (openapiDocument.ts), so the documentation cannot drift from what the API accepts. Written with
 * `zod/mini` so the Lambda bundle leaves out classic zod and its locales.
 */

import * as z from 'zod/mini';
import '../../shared/config/zodEnglishErrors';
import {
  MAX_CONCURRENT_DELIVERIES_MAX,
  MAX_CONCURRENT_DELIVERIES_MIN,
  RATE_LIMIT_MAX,
  RATE_LIMIT_MIN,
} from '../../shared/domain/limits/deliveryLimits';
import {
  type ProducibleObjects,
  unproducibleOperationError,
} from '../../shared/domain/operations/producibleObjects';
import {
  MAX_OPERATIONS,
  normalizeOperations,
  operationError,
} from '../../shared/domain/operations/validateOperation';
import { importedSecretError, PLAIN_SECRET_LENGTH } from '../../shared/domain/signing/importedSecret';
import {
  customHeaderNameError,
  customHeaderValueError,
  duplicateCustomHeaderName,
  MAX_CUSTOM_HEADERS,
} from '../../shared/domain/webhooks/customHeaders';
import { PAYLOAD_FORMATS, WEBHOOK_STATUSES } from '../../shared/domain/webhooks/webhook';
import {
  MAX_FILTER_FIELD_NAME_LENGTH,
  MAX_FILTER_FIELDS,
  MAX_FILTER_STRING_LENGTH,
  MAX_FILTER_VALUES,
} from '../../shared/domain/webhooks/webhookFilter';
import { withMetadata } from './schemaMetadata';
import {
  MAX_TARGET_URL_LENGTH,
  normalizedTargetUrl,
  type TargetUrlPolicy,
  targetUrlError,
} from './targetUrlError';

const MAX_DESCRIPTION_LENGTH = 500;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** Longest `object.action` the domain accepts is 63 + 1 + 9 characters; anything longer is noise. */
const MAX_OPERATION_LENGTH = 80;

function targetUrlSchema(policy: TargetUrlPolicy) {
  return withMetadata(
    z.pipe(
      z.string().check(
        z.superRefine((value, ctx) => {
          const error = targetUrlError(value, policy);
          if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
        }),
      ),
      // Stored and returned as the URL the delivery function calls (WHATWG serialization), never the raw
      // input: `http://h:1\@10.0.0.1/x` is `http://h:1/@10.0.0.1/x` to the WHATWG parser, and other
      // parsers reading the raw text could see another host.
      z.transform((value: string) => normalizedTargetUrl(value)),
    ),
    {
      description: `Absolute https URL (at most ${MAX_TARGET_URL_LENGTH} characters, no credentials) on a public host; private, loopback, link-local, CGNAT, multicast and metadata addresses are refused. Stored and returned in its normalized form (WHATWG URL serialization, e.g. a lower-case host and \`/\` for an empty path), which is exactly what is called.`,
      example: 'https://example.com/hooks/crm',
      maxLength: MAX_TARGET_URL_LENGTH,
      format: 'uri',
    },
  );
}

function operationsSchema(producible: ProducibleObjects) {
  return withMetadata(
    z.pipe(
      z
        .array(
          z.string().check(
            z.maxLength(MAX_OPERATION_LENGTH),
            z.superRefine((value, ctx) => {
              const error = operationError(value) ?? unproducibleOperationError(value, producible);
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
        'Event filters `<object|*>.<action|*>`; actions are created, updated, deleted, restored, destroyed. The object must be one some configured CRM source produces (any camelCase name when a single-table source takes it from an item attribute). Duplicates are removed. Defaults to `["*.*"]` (every event).',
      example: ['person.created', 'company.*'],
    },
  );
}

const descriptionSchema = withMetadata(z.string().check(z.maxLength(MAX_DESCRIPTION_LENGTH)), {
  description: 'Free text for people',
  example: 'Sync people to the data warehouse',
});

const payloadFormatSchema = withMetadata(z.enum(PAYLOAD_FORMATS), {
  description: "`default`: this product's payload; `twenty`: the body Twenty CRM itself sends.",
});

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A top-level record attribute name as DynamoDB allows it, minus what no CRM field is called. */
const filterFieldName = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(MAX_FILTER_FIELD_NAME_LENGTH),
  z.refine((name) => !hasControlCharacter(name), 'must not contain control characters'),
  z.refine((name) => name !== '__proto__', 'is not a field name'),
);

/**
 * Numbers are kept within ±(2^53 − 1): the record side is compared as JavaScript numbers, and the
 * stored filter must read back from DynamoDB without losing digits.
 */
const filterScalar = z.union([
  z.string().check(z.maxLength(MAX_FILTER_STRING_LENGTH)),
  z
    .number()
    .check(
      z.gte(Number.MIN_SAFE_INTEGER, 'must be between -(2^53 - 1) and 2^53 - 1'),
      z.lte(Number.MAX_SAFE_INTEGER, 'must be between -(2^53 - 1) and 2^53 - 1'),
    ),
  z.boolean(),
  z.null(),
]);

const filterSchema = withMetadata(
  z
    .strictObject({
      updatedFields: withMetadata(
        z.optional(
          z
            .array(filterFieldName)
            .check(
              z.minLength(1, 'must name at least one field'),
              z.maxLength(MAX_FILTER_FIELDS, `must name at most ${MAX_FILTER_FIELDS} fields`),
            ),
        ),
        {
          description: `An \`updated\` event is delivered only if at least one of these top-level fields changed (1-${MAX_FILTER_FIELDS} names). Other actions are not affected.`,
          example: ['stage', 'amount'],
        },
      ),
      where: withMetadata(
        z.optional(
          z
            .record(filterFieldName, z.union([filterScalar, z.array(filterScalar).check(z.minLength(1))]))
            .check(
              z.superRefine((where, ctx) => {
                const fields = Object.keys(where);
                if (fields.length === 0)
                  ctx.addIssue({ code: 'custom', message: 'must name at least one field' });
                if (fields.length > MAX_FILTER_FIELDS) {
                  ctx.addIssue({ code: 'custom', message: `must name at most ${MAX_FILTER_FIELDS} fields` });
                }
                const values = Object.values(where).reduce<number>(
                  (n, value) => n + (Array.isArray(value) ? value.length : 1),
                  0,
                );
                if (values > MAX_FILTER_VALUES) {
                  ctx.addIssue({
                    code: 'custom',
                    message: `must list at most ${MAX_FILTER_VALUES} values in all`,
                  });
                }
              }),
            ),
        ),
        {
          description: `Each named top-level field of the record (after the change; before it, for deletes) must equal the value or one of the values (JSON scalars; an absent field counts as null). At most ${MAX_FILTER_FIELDS} fields and ${MAX_FILTER_VALUES} values.`,
          example: { stage: ['WON', 'LOST'] },
        },
      ),
    })
    .check(
      z.refine((filter) => filter.updatedFields !== undefined || filter.where !== undefined, {
        message: 'must set updatedFields or where',
      }),
    ),
  {
    description: 'Optional field filter, applied after `operations`. The test event ignores it.',
  },
);

const headersSchema = withMetadata(
  z
    .record(
      z.string().check(
        z.superRefine((name, ctx) => {
          const error = customHeaderNameError(name);
          if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
        }),
      ),
      z.string().check(
        z.superRefine((value, ctx) => {
          const error = customHeaderValueError(value);
          if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
        }),
      ),
    )
    .check(
      z.superRefine((headers, ctx) => {
        const names = Object.keys(headers);
        if (names.length > MAX_CUSTOM_HEADERS) {
          ctx.addIssue({ code: 'custom', message: `must set at most ${MAX_CUSTOM_HEADERS} headers` });
        }
        const duplicate = duplicateCustomHeaderName(names);
        if (duplicate !== undefined) {
          ctx.addIssue({ code: 'custom', message: `"${duplicate}" is set twice (header names ignore case)` });
        }
      }),
    ),
  {
    description: `Custom request headers sent on every attempt (name → value, at most ${MAX_CUSTOM_HEADERS}), e.g. an Authorization header for the receiver. Values are stored encrypted and never shown again: reads list the names only. Hop-by-hop headers, host, content-length, content-type, user-agent, expect and the signature headers (X-Twenty-Webhook-*, webhook-*) are refused.`,
    example: { Authorization: 'Bearer receiver-token' },
  },
);

const RATE_LIMIT_RULE = `must be a number from ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX} (deliveries per second)`;

const rateLimitSchema = withMetadata(
  z
    .number({ error: RATE_LIMIT_RULE })
    .check(z.gte(RATE_LIMIT_MIN, RATE_LIMIT_RULE), z.lte(RATE_LIMIT_MAX, RATE_LIMIT_RULE)),
  {
    description: `Most deliveries per second to this webhook (${RATE_LIMIT_MIN}-${RATE_LIMIT_MAX}; 0.5 = one every 2 s), across all delivery containers: a token bucket holding one second's worth. Deliveries over it wait (a delayed SQS message, same attempt and delivery id) and are never dropped. Absent: no limit.`,
    example: 2,
    minimum: RATE_LIMIT_MIN,
    maximum: RATE_LIMIT_MAX,
  },
);

const CONCURRENCY_RULE = `must be a whole number from ${MAX_CONCURRENT_DELIVERIES_MIN} to ${MAX_CONCURRENT_DELIVERIES_MAX}`;

const maxConcurrentDeliveriesSchema = withMetadata(
  z
    .number({ error: CONCURRENCY_RULE })
    .check(
      z.int(CONCURRENCY_RULE),
      z.gte(MAX_CONCURRENT_DELIVERIES_MIN, CONCURRENCY_RULE),
      z.lte(MAX_CONCURRENT_DELIVERIES_MAX, CONCURRENCY_RULE),
    ),
  {
    description: `Most requests to this webhook's endpoint in flight at once (${MAX_CONCURRENT_DELIVERIES_MIN}-${MAX_CONCURRENT_DELIVERIES_MAX}), across all delivery containers. Deliveries over it wait 1-2 s and try again; they are never dropped. Absent: no cap.`,
    example: 5,
    minimum: MAX_CONCURRENT_DELIVERIES_MIN,
    maximum: MAX_CONCURRENT_DELIVERIES_MAX,
  },
);

const importedSecretSchema = withMetadata(
  z.string().check(
    z.superRefine((value, ctx) => {
      const error = importedSecretError(value);
      if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
    }),
  ),
  {
    description:
      "Bring your own signing secret (e.g. when moving receivers from Twenty): `whsec_` + base64 of 24-64 bytes, or any other 32-128 printable ASCII characters that are standard base64 (Twenty's 64 hex characters are). `X-Twenty-Webhook-Signature` is keyed with the string exactly as given; the Standard Webhooks key is its base64 decoding after an optional `whsec_`, as the reference libraries derive it. Omit it to get a new `whsec_` secret.",
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    minLength: PLAIN_SECRET_LENGTH.min,
    maxLength: PLAIN_SECRET_LENGTH.max,
  },
);

/** What a webhook request is validated against: the target URL policy and the configured CRM objects. */
export interface WebhookRequestPolicy extends TargetUrlPolicy {
  producibleObjects: ProducibleObjects;
}

export function createWebhookRequestSchema(policy: WebhookRequestPolicy) {
  return z.strictObject({
    targetUrl: targetUrlSchema(policy),
    operations: z.optional(operationsSchema(policy.producibleObjects)),
    description: z.optional(descriptionSchema),
    payloadFormat: z.optional(payloadFormatSchema),
    filter: z.optional(filterSchema),
    headers: z.optional(headersSchema),
    rateLimit: z.optional(rateLimitSchema),
    maxConcurrentDeliveries: z.optional(maxConcurrentDeliveriesSchema),
    secret: z.optional(importedSecretSchema),
  });
}

export const rotateSecretRequestSchema = z.strictObject({
  secret: z.optional(importedSecretSchema),
});

export function updateWebhookRequestSchema(policy: WebhookRequestPolicy) {
  return z
    .strictObject({
      targetUrl: z.optional(targetUrlSchema(policy)),
      operations: z.optional(operationsSchema(policy.producibleObjects)),
      description: withMetadata(z.optional(z.nullable(descriptionSchema)), {
        description: '`null` removes it',
      }),
      payloadFormat: z.optional(payloadFormatSchema),
      filter: withMetadata(z.optional(z.nullable(filterSchema)), { description: '`null` removes it' }),
      headers: withMetadata(z.optional(z.nullable(headersSchema)), {
        description: 'Replaces every custom header; `null` or `{}` removes them',
      }),
      rateLimit: withMetadata(z.optional(z.nullable(rateLimitSchema)), { description: '`null` removes it' }),
      maxConcurrentDeliveries: withMetadata(z.optional(z.nullable(maxConcurrentDeliveriesSchema)), {
        description: '`null` removes it',
      }),
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

const WEBHOOK_ID_PATTERN = /^wh_[A-Za-z0-9_-]{8,64}$/;

export const webhookIdParamsSchema = z.object({
  id: withMetadata(z.string().check(z.regex(WEBHOOK_ID_PATTERN)), { example: 'wh_3mJr7AoUXx2Wqd2bTzmxvA' }),
});

/** Delivery ids are `msg_` + 32 hex digits (`deliveryIdFor`). */
const DELIVERY_ID_PATTERN = /^msg_[0-9a-f]{32}$/;

export const deliveryParamsSchema = z.object({
  id: withMetadata(z.string().check(z.regex(WEBHOOK_ID_PATTERN)), { example: 'wh_3mJr7AoUXx2Wqd2bTzmxvA' }),
  deliveryId: withMetadata(z.string().check(z.regex(DELIVERY_ID_PATTERN)), {
    description: 'The delivery id (the `webhook-id` header receivers saw)',
    example: 'msg_0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  }),
});
