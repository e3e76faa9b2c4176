import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildOpenApiDocument,
  openApiDocumentJson,
} from '../../../../functions/subscriptions-api/openapiDocument';
import { OPENAPI_DOCUMENT_PATH } from '../../../../infra/cli/writeOpenApiDocument';

describe('OpenAPI document', () => {
  it('committed docs/openapi.json equals the generated one (run `npm run openapi` after changing schemas)', () => {
    expect(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')).toBe(openApiDocumentJson());
  });

  it('describes every route, with the request schemas the handler validates with', () => {
    const document = buildOpenApiDocument();
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /webhooks',
        'GET /webhooks',
        'GET /webhooks/{id}',
        'PATCH /webhooks/{id}',
        'DELETE /webhooks/{id}',
        'POST /webhooks/{id}/rotate-secret',
        'POST /webhooks/{id}/test',
        'GET /webhooks/{id}/deliveries',
        'POST /webhooks/{id}/redrive',
        'POST /webhooks/{id}/deliveries/{deliveryId}/resend',
        'GET /objects',
        'GET /openapi.json',
      ].sort(),
    );
    const schemas = document.components?.schemas ?? {};
    expect(schemas.CreateWebhookRequest).toMatchObject({
      additionalProperties: false,
      required: ['targetUrl'],
      properties: { description: { maxLength: 500 }, operations: { minItems: 1, maxItems: 50 } },
    });
    expect(schemas.UpdateWebhookRequest).toMatchObject({ additionalProperties: false });
    expect(JSON.stringify(schemas.Webhook)).not.toMatch(/secretName|secretVersionId|"secret"/);
  });
});
