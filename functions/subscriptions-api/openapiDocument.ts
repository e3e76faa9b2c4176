import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod/mini';
import '../../shared/config/zodEnglishErrors';
import { forGenerator, forGeneratorObject } from './openApiGeneratorSchemas';
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
 * The OpenAPI 3.1 document, generated from the zod schemas the handler validates with. Served at
 * GET /openapi.json and committed as docs/openapi.json (`npm run openapi`; a test keeps them equal).
 */

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
    content: { [PROBLEM_CONTENT_TYPE]: { schema: forGenerator(problemSchemaWithId) } },
  };
}

function json(description: string, schema: z.ZodMiniType): ResponseConfig {
  return { description, content: { 'application/json': { schema: forGenerator(schema) } } };
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

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Workspace API key: `Authorization: Bearer <key>` (create one with `npm run api-key`)',
  });
  const security = [{ [bearer.name]: [] }];

  // An `id` makes a named component (`withMetadata` returns a copy: the validating schemas stay untouched).
  const createRequest = forGenerator(
    withMetadata(createWebhookRequestSchema(policy), { id: 'CreateWebhookRequest' }),
  );
  const updateRequest = forGenerator(
    withMetadata(updateWebhookRequestSchema(policy), { id: 'UpdateWebhookRequest' }),
  );
  const webhook = webhookViewSchema;
  const createdWebhook = withMetadata(createdWebhookSchema, { id: 'CreatedWebhook' });
  const webhookPage = withMetadata(webhookPageSchema, { id: 'WebhookPage' });
  const deliveryPage = withMetadata(deliveryPageSchema, { id: 'DeliveryAttemptPage' });
  const rotateRequest = forGenerator(withMetadata(rotateSecretRequestSchema, { id: 'RotateSecretRequest' }));
  const params = forGeneratorObject(webhookIdParamsSchema);
  const pageQuery = forGeneratorObject(pageQuerySchema);

  registry.registerPath({
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
  registry.registerPath({
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
  registry.registerPath({
    method: 'get',
    path: '/webhooks/{id}',
    summary: 'Get a webhook',
    security,
    request: { params },
    responses: { 200: json('The webhook', webhook), ...webhookErrors },
  });
  registry.registerPath({
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
  registry.registerPath({
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete a webhook',
    description:
      'Its signing secrets go with it (envelope mode: they were on the row; per-webhook mode: the secret is scheduled for deletion with a 7-day recovery window).',
    security,
    request: { params },
    responses: { 204: { description: 'Deleted' }, ...webhookErrors },
  });
  registry.registerPath({
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
  registry.registerPath({
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
  registry.registerPath({
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
  registry.registerPath({
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
  registry.registerPath({
    method: 'post',
    path: '/webhooks/{id}/deliveries/{deliveryId}/resend',
    summary: 'Resend one delivery',
    description:
      'Sends one delivery again from its retained payload, with the same delivery id. Dead-lettered deliveries keep their payload for 14 days; other deliveries keep none and answer 404.',
    security,
    request: { params: forGeneratorObject(deliveryParamsSchema) },
    responses: {
      202: json('Queued', resendAcceptedSchema),
      ...webhookErrors,
      404: problemResponse('No such webhook, or no retained payload for this delivery'),
      409: problemResponse('The webhook is disabled'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/objects',
    summary: 'List the objects and actions operations can name',
    description:
      'From the configured CRM sources: what `operations` entries such as `person.created` can match. The web console draws its operation checkboxes from it.',
    security,
    responses: { 200: json('Objects and actions', subscribableEventsSchema), ...commonErrors },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI document',
    security: [],
    responses: { 200: json('OpenAPI 3.1 document', z.record(z.string(), z.unknown())) },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'CRM webhooks management API',
      version: '1.0.0',
      description:
        'Manage signed, retried webhooks for CRM records stored in DynamoDB. Errors are `application/problem+json`.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local runtime (`npm start`)' }],
    security,
  });
}

/** The document as served and committed: two-space indented JSON with a final newline. */
export function openApiDocumentJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
