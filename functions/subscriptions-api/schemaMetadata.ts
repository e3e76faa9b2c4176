/** Attaches OpenAPI metadata (description, example, component id) to `zod/mini` schemas. */

import * as z from 'zod/mini';

/**
 * What classic zod's `schema.meta(metadata)` does, for `zod/mini` schemas: a copy of `schema` with
 * `metadata` (description, example, component `id`…) in zod's global registry, where the OpenAPI
 * document reads it. The copy's parent is `schema`, so it also inherits the metadata `schema` has.
 */
export function withMetadata<Schema extends z.ZodMiniType>(
  schema: Schema,
  metadata: z.core.GlobalMeta,
): Schema {
  const copy = schema.clone();
  z.globalRegistry.add(copy, metadata);
  return copy;
}
