/**
 * Re-seals every webhook's signing secrets under the key secret's current version (`npm run rewrap-secrets`).
 */

import { keyVersionOf, openCredential, sealCredential } from '../../domain/credentials/sealedCredential';
import { signingSecretContext } from '../../domain/credentials/signingSecretContext';
import { WebhookConflictError } from '../../domain/errors';
import type { Webhook } from '../../domain/webhooks/webhook';
import type { WebhookStore } from '../dynamodb/webhookStore';
import type { CredentialKeyring, CredentialKeyVersion } from './credentialKeyring';

export interface RewrapReport {
  scanned: number;
  /** Rows whose secrets were re-sealed under the current key version. */
  rewrapped: number;
  alreadyCurrent: number;
  /** Rows of per-webhook mode (no sealed secrets). */
  notSealed: number;
}

/** Re-reads and retries a row that changed under us this many times before giving up on it. */
const ATTEMPTS = 3;

/**
 * After a rotation of the key secret: re-seals every webhook's secrets under the current key version,
 * so older versions are no longer needed (Secrets Manager keeps only the AWSCURRENT and AWSPREVIOUS
 * labels; an unlabelled version may be removed, https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version).
 * Deliveries keep working throughout: old and new envelopes both open. Safe to run again.
 */
export async function rewrapSigningSecrets(deps: {
  webhooks: Pick<WebhookStore, 'scanPage' | 'get' | 'replaceSealedSecrets'>;
  keyring: Pick<CredentialKeyring, 'current' | 'keyFor'>;
}): Promise<RewrapReport> {
  const report: RewrapReport = { scanned: 0, rewrapped: 0, alreadyCurrent: 0, notSealed: 0 };
  const current = await deps.keyring.current();
  let cursor: string | undefined;
  do {
    const page = await deps.webhooks.scanPage(cursor);
    for (const item of page.items) {
      report.scanned++;
      const outcome = await rewrapRow(deps, current, item);
      report[outcome]++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return report;
}

async function rewrapRow(
  deps: Parameters<typeof rewrapSigningSecrets>[0],
  current: CredentialKeyVersion,
  scanned: Webhook,
): Promise<'rewrapped' | 'alreadyCurrent' | 'notSealed'> {
  let row: Webhook | undefined = scanned;
  for (let attempt = 1; row !== undefined; attempt++) {
    if (row.sealedSecret === undefined) return 'notSealed';
    const sealed = [row.sealedSecret, row.sealedPreviousSecret].filter((s): s is string => s !== undefined);
    if (sealed.every((s) => keyVersionOf(s) === current.version)) return 'alreadyCurrent';
    const context = signingSecretContext(row.workspaceId, row.id);
    const reseal = async (envelope: string) =>
      keyVersionOf(envelope) === current.version
        ? envelope
        : sealCredential({
            plaintext: openCredential({
              sealed: envelope,
              key: await deps.keyring.keyFor(keyVersionOf(envelope)),
              context,
            }),
            key: current.key,
            keyVersion: current.version,
            context,
          });
    const next = {
      sealedSecret: await reseal(row.sealedSecret),
      ...(row.sealedPreviousSecret === undefined
        ? {}
        : { sealedPreviousSecret: await reseal(row.sealedPreviousSecret) }),
    };
    try {
      await deps.webhooks.replaceSealedSecrets(row.workspaceId, row.id, next, row.version);
      return 'rewrapped';
    } catch (error) {
      if (!(error instanceof WebhookConflictError) || attempt >= ATTEMPTS) throw error;
      row = await deps.webhooks.get(row.workspaceId, row.id, { consistent: true });
    }
  }
  // Deleted while we worked: nothing left to re-wrap.
  return 'alreadyCurrent';
}
