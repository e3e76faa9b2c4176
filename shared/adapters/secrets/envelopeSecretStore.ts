/** Envelope mode, API side: seals a webhook's signing secrets onto its row. */

import { customHeadersContext } from '../../domain/credentials/customHeadersContext';
import { sealCredential } from '../../domain/credentials/sealedCredential';
import { signingSecretContext } from '../../domain/credentials/signingSecretContext';
import type { SigningSecretFields, SigningSecretStore } from '../../domain/webhooks/signingSecretStore';
import type { Webhook } from '../../domain/webhooks/webhook';
import type { CredentialKeyring } from './credentialKeyring';

/**
 * Envelope mode, API side: secrets are sealed under the key secret's current version and stored on the
 * webhook row itself, so creating, rotating and deleting webhooks makes no Secrets Manager writes. The
 * row is the only copy: deleting it deletes the secrets.
 */
export class EnvelopeSecretStore implements SigningSecretStore {
  readonly mode = 'envelope' as const;

  constructor(private readonly keyring: Pick<CredentialKeyring, 'current'>) {}

  async create(workspaceId: string, webhookId: string, secret: string): Promise<SigningSecretFields> {
    return { sealedSecret: await this.seal(workspaceId, webhookId, secret) };
  }

  async rotate(webhook: Webhook, secret: string): Promise<(current: Webhook) => SigningSecretFields> {
    const sealed = await this.seal(webhook.workspaceId, webhook.id, secret);
    // The envelope moves as it is: same webhook, same context, no need to decrypt it.
    return (current) => ({
      sealedSecret: sealed,
      sealedPreviousSecret: current.sealedSecret === sealed ? webhook.sealedSecret : current.sealedSecret,
    });
  }

  async discard(): Promise<void> {
    // Nothing outside the row was written.
  }

  async retire(): Promise<void> {
    // The secrets were on the deleted row.
  }

  async sealCustomHeaders(
    workspaceId: string,
    webhookId: string,
    headers: Record<string, string>,
  ): Promise<string> {
    const { version, key } = await this.keyring.current();
    return sealCredential({
      plaintext: JSON.stringify(headers),
      key,
      keyVersion: version,
      context: customHeadersContext(workspaceId, webhookId),
    });
  }

  private async seal(workspaceId: string, webhookId: string, secret: string): Promise<string> {
    const { version, key } = await this.keyring.current();
    return sealCredential({
      plaintext: secret,
      key,
      keyVersion: version,
      context: signingSecretContext(workspaceId, webhookId),
    });
  }
}
