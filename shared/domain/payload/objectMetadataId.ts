/** The `objectMetadata.id` of `twenty`-format bodies: a version 5 UUID per workspace and object. */

import { createHash } from 'node:crypto';

/**
 * Namespace of the derived object metadata ids (a fixed random UUID: changing it would change every
 * derived id receivers may have stored).
 */
const OBJECT_METADATA_ID_NAMESPACE = '8d4b6f0e-3c1a-4f7e-9b2d-5a6c7e8f9012';

/**
 * The `objectMetadata.id` of `twenty`-format bodies when the CRM config sets none for the object: a
 * name-based UUID (version 5, RFC 9562 §5.5) of `<object>:<workspaceId>`, so every event of one object
 * in one workspace carries the same id, as Twenty's do, and different workspaces get different ids.
 * Object names are camelCase (no `:`), so the name is unambiguous.
 */
export function objectMetadataIdFor(workspaceId: string, object: string): string {
  return uuidV5(`${object}:${workspaceId}`, OBJECT_METADATA_ID_NAMESPACE);
}

/** RFC 9562 §5.5: SHA-1 of namespace bytes + name (UTF-8), version 5, variant 10xx. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
