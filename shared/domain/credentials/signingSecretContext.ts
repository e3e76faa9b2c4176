/** The additional authenticated data a webhook's signing secrets are sealed under. */

import type { CredentialContext } from './sealedCredential';

/**
 * The context a webhook's signing secrets are sealed under: the purpose and the webhook's full key
 * (workspace and webhook id), so a secret copied to another webhook, or into another kind of field,
 * does not decrypt.
 */
export function signingSecretContext(workspaceId: string, webhookId: string): CredentialContext {
  return ['webhook-signing-secret', workspaceId, webhookId];
}
