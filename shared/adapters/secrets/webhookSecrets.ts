/** Per-webhook Secrets Manager secrets (`<prefix>/<workspaceId>/<webhookId>`): create, rotate, delete. */

import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretStoreError } from './secretStoreError';

/** Days a deleted webhook's secret can still be restored (the Secrets Manager minimum). */
const SECRET_RECOVERY_WINDOW_DAYS = 7;

/**
 * One Secrets Manager secret per webhook, named `<prefix>/<workspaceId>/<webhookId>`. Rotation puts a
 * new version: Secrets Manager moves AWSCURRENT to it and AWSPREVIOUS to the version before, which is
 * what lets deliveries sign with both during the rotation window.
 */
export class WebhookSecrets {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
  ) {}

  secretNameFor(workspaceId: string, webhookId: string): string {
    return `${this.prefix}/${workspaceId}/${webhookId}`;
  }

  async create(
    workspaceId: string,
    webhookId: string,
    secret: string,
  ): Promise<{ secretName: string; versionId: string }> {
    const secretName = this.secretNameFor(workspaceId, webhookId);
    const result = await this.call('CreateSecret', () =>
      this.client.send(
        new CreateSecretCommand({
          Name: secretName,
          SecretString: secret,
          Description: `Signing secret of webhook ${webhookId} (workspace ${workspaceId})`,
        }),
      ),
    );
    return { secretName, versionId: requireVersionId(result.VersionId, 'CreateSecret') };
  }

  async rotate(secretName: string, newSecret: string): Promise<{ versionId: string }> {
    const result = await this.call('PutSecretValue', () =>
      this.client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: newSecret })),
    );
    return { versionId: requireVersionId(result.VersionId, 'PutSecretValue') };
  }

  /** Deletion with a recovery window, for deleted webhooks. A secret that is already gone is fine. */
  async scheduleDeletion(secretName: string): Promise<void> {
    await this.delete(secretName, { RecoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS });
  }

  /** Immediate deletion, to roll back a create whose webhook row could not be written. */
  async deleteNow(secretName: string): Promise<void> {
    await this.delete(secretName, { ForceDeleteWithoutRecovery: true });
  }

  private async delete(
    secretName: string,
    options: { RecoveryWindowInDays: number } | { ForceDeleteWithoutRecovery: true },
  ): Promise<void> {
    await this.call('DeleteSecret', async () => {
      try {
        await this.client.send(new DeleteSecretCommand({ SecretId: secretName, ...options }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    });
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new SecretStoreError(operation, error);
    }
  }
}

function requireVersionId(versionId: string | undefined, operation: string): string {
  if (versionId === undefined) throw new SecretStoreError(operation, new Error('no VersionId returned'));
  return versionId;
}
