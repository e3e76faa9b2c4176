/** The additional authenticated data a webhook's custom header values are sealed under. */

import type { CredentialContext } from './sealedCredential';

/**
 * The context a webhook's custom header values are sealed under: another purpose than its signing
 * secrets, so neither envelope opens as the other, and the webhook's full key.
 */
export function customHeadersContext(workspaceId: string, webhookId: string): CredentialContext {
  return ['webhook-custom-headers', workspaceId, webhookId];
}
