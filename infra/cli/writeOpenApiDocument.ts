/** `npm run openapi`: writes docs/openapi.json from the API's zod schemas. */

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocumentJson } from '../../functions/subscriptions-api/openapiDocument';

/** `npm run openapi`: regenerates docs/openapi.json from the API's zod schemas. */
export const OPENAPI_DOCUMENT_PATH = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_DOCUMENT_PATH, openApiDocumentJson());
  console.log(`wrote ${OPENAPI_DOCUMENT_PATH}`);
}
