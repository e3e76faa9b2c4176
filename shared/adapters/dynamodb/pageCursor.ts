/** Opaque page cursors: a Query's LastEvaluatedKey, encoded for the API and checked when it comes back. */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError } from '../../domain/errors';

type Key = Record<string, AttributeValue>;

/** Opaque cursor: base64url of the string-valued LastEvaluatedKey. */
export function encodeCursor(key: Key | undefined): string | null {
  if (!key) return null;
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(key)) {
    if (value.S === undefined) throw new Error(`cursor key attribute ${name} is not a string`);
    plain[name] = value.S;
  }
  return Buffer.from(JSON.stringify(plain), 'utf8').toString('base64url');
}

/** Decodes a cursor and checks it names exactly the expected key attributes. */
export function decodeCursor(cursor: string | undefined, keyNames: readonly string[]): Key | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidCursorError();
  const entries = Object.entries(parsed);
  if (
    entries.length !== keyNames.length ||
    !entries.every(
      ([name, value]) => keyNames.includes(name) && typeof value === 'string' && value.length > 0,
    )
  ) {
    throw new InvalidCursorError();
  }
  return Object.fromEntries(entries.map(([name, value]) => [name, { S: value as string }]));
}

/**
 * Decodes the cursor of a Query over one partition: it must name this table's key attributes and come
 * from the same partition (a cursor from another workspace or webhook is refused, not followed).
 */
export function decodePartitionCursor(
  cursor: string | undefined,
  key: { partitionKey: string; sortKey: string },
  partition: string,
): Key | undefined {
  const startKey = decodeCursor(cursor, [key.partitionKey, key.sortKey]);
  if (startKey && startKey[key.partitionKey]?.S !== partition) throw new InvalidCursorError();
  return startKey;
}
