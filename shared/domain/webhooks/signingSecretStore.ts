/**
 * The interfaces behind which signing secrets are kept (envelope or per-webhook mode), and the rotation window.
 */

import type { Webhook } from './webhook';

/**
 * Where webhooks' signing secrets are kept, chosen per deployment (CDK context `secretStore`, local
 * `SECRET_STORE`):
 * - `envelope` (default): one Secrets Manager secret holds a key; each webhook's secrets are stored
 *   AES-256-GCM-encrypted on its row. Fixed cost whatever the number of webhooks.
 * - `per-webhook`: one Secrets Manager secret per webhook ($0.40 a month each), for operators who need
 *   per-secret IAM policies, CloudTrail entries per secret read, or their own rotation tooling.
 */
export const SECRET_STORE_MODES = ['envelope', 'per-webhook'] as const;
export type SecretStoreMode = (typeof SECRET_STORE_MODES)[number];

/** The fields of a webhook row that say where its signing secrets are (never a secret in clear). */
export type SigningSecretFields = Partial<
  Pick<
    Webhook,
    'sealedSecret' | 'sealedPreviousSecret' | 'secretName' | 'secretVersionId' | 'previousSecretVersionId'
  >
>;

/** What the management API needs from a secret store: store on create and rotation, clean up on delete. */
export interface SigningSecretStore {
  readonly mode: SecretStoreMode;
  /** Stores a new webhook's secret; returns the fields to write on its row. */
  create(workspaceId: string, webhookId: string, secret: string): Promise<SigningSecretFields>;
  /**
   * Stores `secret` as the webhook's new current secret. Returns how to update the row as it is when the
   * write happens (it may have changed since `webhook` was read): the new secret becomes current and the
   * one current until now becomes the previous one.
   */
  rotate(webhook: Webhook, secret: string): Promise<(current: Webhook) => SigningSecretFields>;
  /** Undoes `create` when the webhook row could not be written. */
  discard(fields: SigningSecretFields): Promise<void>;
  /** Cleans up after the webhook's row was deleted. */
  retire(webhook: Webhook): Promise<void>;
  /**
   * Seals a webhook's custom header values (name → value) for its row. Only the envelope store can:
   * without it the API refuses custom headers.
   */
  sealCustomHeaders?(
    workspaceId: string,
    webhookId: string,
    headers: Record<string, string>,
  ): Promise<string>;
}

/** What the delivery function needs: the secrets a delivery signs with, newest first. */
export interface SigningSecretsReader {
  /** The current secret, then the previous one while its rotation window (`previousSecretExpiresAt`) lasts. */
  signingSecretsOf(webhook: Webhook, now: Date): Promise<string[]>;
  /** The webhook's custom headers (name → value), opened from `sealedHeaders`; `{}` when it has none. */
  customHeadersOf?(webhook: Webhook): Promise<Record<string, string>>;
}

/** True while a rotated-out secret still signs. */
export function inRotationWindow(webhook: Webhook, now: Date): boolean {
  return (
    webhook.previousSecretExpiresAt !== undefined &&
    Date.parse(webhook.previousSecretExpiresAt) > now.getTime()
  );
}
