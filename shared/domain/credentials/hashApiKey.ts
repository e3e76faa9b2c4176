/** How an API key is stored and looked up: its SHA-256 hash. */

import { createHash } from 'node:crypto';

/**
 * An API key's id and the only form it is stored in. SHA-256 is enough for 256-bit random keys (no
 * dictionary to guess from).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
