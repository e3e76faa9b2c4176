/** Builds the OpenAPI document from the routes and their zod schemas (`npm run openapi` writes it). */

import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod/mini';
import '../../shared/config/zodEnglishErrors';
import { PROBLEM_CONTENT_TYPE } from './problem';
import {
  createdWebhookSchema,
  deliveryPageSchema,
  problemSchema,
  redriveResultSchema,
  resendAcceptedSchema,
  rotatedSecretSchema,
  subscribableEventsSchema,
  testEventAcceptedSchema,
  webhookPageSchema,
  webhookViewSchema,
} from './responseSchemas';
import { withMetadata } from './schemaMetadata';
import {
  createWebhookRequestSchema,
  deliveryParamsSchema,
  pageQuerySchema,
  rotateSecretRequestSchema,
  updateWebhookRequestSchema,
  type WebhookRequestPolicy,
  webhookIdParamsSchema,
} from './schemas';

/*
 * The OpenAPI 3.1 document, generated at build time (`npm run openapi`) from the zod schemas the handler
 * validates with, by zod's own JSON Schema generator (`z.toJSONSchema`, which reads `zod/mini` schemas
 * and their `withMetadata` metadata natively; OpenAPI 3.1 schemas are JSON Schema 2020-12). Committed as
 * docs/openapi.json, which the API serves at GET /openapi.json; a test keeps the two equal.
 */

type JsonSchema = Record<string, unknown>;
type Content = Record<string, { schema: z.ZodMiniType }>;
interface ResponseConfig {
  description: string;
  content?: Content;
}
/** One operation, with zod schemas where the document gets JSON Schemas. */
interface PathDefinition {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  request?: { params?: z.ZodMiniType; query?: z.ZodMiniType; body?: { required: boolean; content: Content } };
  responses: Record<number, ResponseConfig>;
}

/**
 * Named components (schemas given an `id` with `withMetadata`), collected while the paths are built.
 * Request bodies are described as clients send them (`io: 'input'`), responses as the API answers.
 */
/**
 * zod describes an object's output as closed (it strips unknown keys), but a response may gain fields in
 * a later version without breaking clients, so response objects stay open. Request objects keep what
 * the schema says (a strict object refuses unknown fields with a 400).
 */
function openResponseObjects(io: 'input' | 'output') {
  return (context: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }) => {
    if (io === 'output' && context.zodSchema._zod.def.type === 'object')
      delete context.jsonSchema.additionalProperties;
  };
}

class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  schema(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
    const {
      $schema: _,
      $defs,
      ...root
    } = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      override: openResponseObjects(io),
    }) as JsonSchema;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      const named = this.pointToComponents(definition);
      const existing = this.schemas[id];
      if (existing !== undefined && !isDeepStrictEqual(existing, named)) {
        throw new Error(`two different schemas are both named ${id} in the OpenAPI document`);
      }
      this.schemas[id] = named;
    }
    return this.pointToComponents(root);
  }

  /** `in: path` / `in: query` parameters, one per property of an object schema. */
  parameters(schema: z.ZodMiniType, where: 'path' | 'query'): JsonSchema[] {
    const object = this.schema(schema, 'input');
    const required = new Set((object.required ?? []) as string[]);
    return Object.entries((object.properties ?? {}) as Record<string, JsonSchema>).map(
      ([name, property]) => ({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(property.description === undefined ? {} : { description: property.description }),
        schema: property,
      }),
    );
  }

  private pointToComponents(schema: JsonSchema): JsonSchema {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  }
}

// The document describes the production rules (https only); local mode only relaxes them.
/** The document describes the rules, not one deployment's objects: any object name passes here. */
const policy: WebhookRequestPolicy = {
  localMode: false,
  producibleObjects: { kind: 'any', listed: [], objectAttributes: [] },
};

const problemSchemaWithId = withMetadata(problemSchema, { id: 'Problem' });

function problemResponse(description: string): ResponseConfig {
  return {
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchemaWithId } },
  };
}

function json(description: string, schema: z.ZodMiniType): ResponseConfig {
  return { description, content: { 'application/json': { schema } } };
}

const commonErrors = {
  401: problemResponse('Missing, unknown or revoked API key (with `WWW-Authenticate: Bearer`)'),
  500: problemResponse('Server fault; safe to retry'),
};
const webhookErrors = {
  ...commonErrors,
  404: problemResponse("No webhook with this id in the API key's workspace"),
};
const bodyErrors = {
  400: problemResponse('Invalid field(s) (each named in `errors`) or malformed JSON'),
  413: problemResponse('Body larger than the limit (64 KiB by default)'),
  415: problemResponse('Body is not `application/json`'),
};

export function buildOpenApiDocument() {
  const components = new Components();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const schemasOf = (content: Content, io: 'input' | 'output') =>
    Object.fromEntries(
      Object.entries(content).map(([type, { schema }]) => [type, { schema: components.schema(schema, io) }]),
    );
  const registerPath = ({ method, path, request, responses, ...rest }: PathDefinition) => {
    const parameters = [
      ...(request?.params ? components.parameters(request.params, 'path') : []),
      ...(request?.query ? components.parameters(request.query, 'query') : []),
    ];
    paths[path] ??= {};
    paths[path][method] = {
      ...rest,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(request?.body
        ? {
            requestBody: {
              required: request.body.required,
              content: schemasOf(request.body.content, 'input'),
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(responses).map(([status, { description, content }]) => [
          status,
          content === undefined ? { description } : { description, content: schemasOf(content, 'output') },
        ]),
      ),
    };
  };
  const bearerScheme = {
    type: 'http',
    scheme: 'bearer',
    description: 'Workspace API key: `Authorization: Bearer <key>` (create one with `npm run api-key`)',
  };
  const security = [{ apiKey: [] }];

  // An `id` makes a named component (`withMetadata` returns a copy: the validating schemas stay untouched).
  const createRequest = withMetadata(createWebhookRequestSchema(policy), { id: 'CreateWebhookRequest' });
  const updateRequest = withMetadata(updateWebhookRequestSchema(policy), { id: 'UpdateWebhookRequest' });
  const webhook = webhookViewSchema;
  const createdWebhook = withMetadata(createdWebhookSchema, { id: 'CreatedWebhook' });
  const webhookPage = withMetadata(webhookPageSchema, { id: 'WebhookPage' });
  const deliveryPage = withMetadata(deliveryPageSchema, { id: 'DeliveryAttemptPage' });
  const rotateRequest = withMetadata(rotateSecretRequestSchema, { id: 'RotateSecretRequest' });
  const params = webhookIdParamsSchema;
  const pageQuery = pageQuerySchema;

  registerPath({
    method: 'post',
    path: '/webhooks',
    summary: 'Create a webhook',
    description: 'Returns the webhook and its signing `secret`, which is shown only here and on rotation.',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: createRequest } } } },
    responses: {
      201: json('Created', createdWebhook),
      ...bodyErrors,
      ...commonErrors,
      503: problemResponse('Secret store unavailable; nothing was created'),
    },
  });
  registerPath({
    method: 'get',
    path: '/webhooks',
    summary: 'List webhooks',
    description: "The workspace's webhooks, oldest id first, one page at a time.",
    security,
    request: { query: pageQuery },
    responses: {
      200: json('A page of webhooks', webhookPage),
      400: problemResponse('Invalid `limit` or `cursor`'),
      ...commonErrors,
    },
  });
  registerPath({
    method: 'get',
    path: '/webhooks/{id}',
    summary: 'Get a webhook',
    security,
    request: { params },
    responses: { 200: json('The webhook', webhook), ...webhookErrors },
  });
  registerPath({
    method: 'patch',
    path: '/webhooks/{id}',
    summary: 'Update a webhook',
    description: 'Changes only the fields sent. `status: "active"` re-enables a disabled webhook.',
    security,
    request: { params, body: { required: true, content: { 'application/json': { schema: updateRequest } } } },
    responses: {
      200: json('The updated webhook', webhook),
      ...bodyErrors,
      ...webhookErrors,
      409: problemResponse('Changed concurrently; retry'),
    },
  });
  registerPath({
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete a webhook',
    description:
      'Its signing secrets go with it (envelope mode: they were on the row; per-webhook mode: the secret is scheduled for deletion with a 7-day recovery window).',
    security,
    request: { params },
    responses: { 204: { description: 'Deleted' }, ...webhookErrors },
  });
  registerPath({
    method: 'post',
    path: '/webhooks/{id}/rotate-secret',
    summary: 'Rotate the signing secret',
    description:
      'Returns the new secret: a new `whsec_` one, or the one you send (same rules as on create). For 24 hours deliveries carry signatures made with both the new and the previous secret.',
    security,
    request: {
      params,
      body: { required: false, content: { 'application/json': { schema: rotateRequest } } },
    },
    responses: {
      200: json('The new secret', rotatedSecretSchema),
      ...webhookErrors,
      503: problemResponse('Secret store unavailable; nothing changed'),
    },
  });
  registerPath({
    method: 'post',
    path: '/webhooks/{id}/test',
    summary: 'Send a test event',
    description:
      'Queues a `webhook.test` event for this webhook alone, whatever its operations; it is signed, retried and logged like any other delivery.',
    security,
    request: { params },
    responses: {
      202: json('Queued', testEventAcceptedSchema),
      ...webhookErrors,
      409: problemResponse('The webhook is disabled'),
    },
  });
  registerPath({
    method: 'get',
    path: '/webhooks/{id}/deliveries',
    summary: 'List delivery attempts',
    description: 'The attempt log, newest first (kept 30 days by default).',
    security,
    request: { params, query: pageQuery },
    responses: {
      200: json('A page of attempts', deliveryPage),
      400: problemResponse('Invalid `limit` or `cursor`'),
      ...webhookErrors,
    },
  });
  registerPath({
    method: 'post',
    path: '/webhooks/{id}/redrive',
    summary: 'Redrive dead-lettered jobs',
    description:
      "Sends every job of this webhook's dead-letter index back to the deliveries queue (attempts start afresh, same delivery ids) and removes it from the index. The work is proportional to this webhook's own dead letters. A call stops after a time budget; when `more` is true, call again until it is false.",
    security,
    request: { params },
    responses: {
      202: json('Sent back', redriveResultSchema),
      ...webhookErrors,
      409: problemResponse('The webhook is disabled'),
    },
  });
  registerPath({
    method: 'post',
    path: '/webhooks/{id}/deliveries/{deliveryId}/resend',
    summary: 'Resend one delivery',
    description:
      'Sends one delivery again from its retained payload, with the same delivery id. Dead-lettered deliveries keep their payload for 14 days; other deliveries keep none and answer 404.',
    security,
    request: { params: deliveryParamsSchema },
    responses: {
      202: json('Queued', resendAcceptedSchema),
      ...webhookErrors,
      404: problemResponse('No such webhook, or no retained payload for this delivery'),
      409: problemResponse('The webhook is disabled'),
    },
  });
  registerPath({
    method: 'get',
    path: '/objects',
    summary: 'List the objects and actions operations can name',
    description:
      'From the configured CRM sources: what `operations` entries such as `person.created` can match. The web console draws its operation checkboxes from it.',
    security,
    responses: { 200: json('Objects and actions', subscribableEventsSchema), ...commonErrors },
  });
  registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI document',
    security: [],
    responses: { 200: json('OpenAPI 3.1 document', z.record(z.string(), z.unknown())) },
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM webhooks management API',
      version: '1.0.0',
      description:
        'Manage signed, retried webhooks for CRM records stored in DynamoDB. Errors are `application/problem+json`.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local runtime (`npm start`)' }],
    security,
    components: { securitySchemes: { apiKey: bearerScheme }, schemas: components.schemas },
    paths,
  };
}

/** The document as served and committed: two-space indented JSON with a final newline. */
export function openApiDocumentJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
