/** New webhook ids. */

import { randomUUID } from 'node:crypto';

/** `wh_` + 22 url-safe characters (the 128 bits of a random UUID). */
export function newWebhookId(): string {
  return `wh_${Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')}`;
}
