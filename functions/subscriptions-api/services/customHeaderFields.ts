/** The row fields of a webhook's custom headers: names in clear, values sealed. */

import type { SigningSecretStore } from '../../../shared/domain/webhooks/signingSecretStore';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import { problems } from '../problem';

/**
 * The row fields for a webhook's custom headers: names in clear, values sealed together under the
 * credential key (like envelope-mode signing secrets). No headers (`{}`) means none stored. Only the
 * envelope secret store can seal; the per-webhook store answers 400 naming `headers`.
 */
export async function customHeaderFields(
  secrets: Pick<SigningSecretStore, 'sealCustomHeaders'>,
  workspaceId: string,
  webhookId: string,
  headers: Record<string, string>,
): Promise<Pick<Webhook, 'headerNames' | 'sealedHeaders'>> {
  const names = Object.keys(headers);
  if (names.length === 0) return { headerNames: undefined, sealedHeaders: undefined };
  if (secrets.sealCustomHeaders === undefined) {
    throw problems.validation([
      {
        path: 'headers',
        message: 'custom headers need the envelope secret store (SECRET_STORE=envelope, the default)',
      },
    ]);
  }
  return {
    headerNames: names,
    sealedHeaders: await secrets.sealCustomHeaders(workspaceId, webhookId, headers),
  };
}
