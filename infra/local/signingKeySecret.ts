/** Creates envelope mode's key secret in the local Secrets Manager, as the stack does on deploy. */

import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The key secret's name locally (the stack lets CloudFormation name it). */
export const LOCAL_SIGNING_KEY_SECRET_NAME = 'crm-webhooks/signing-key';

/**
 * Creates the envelope-mode key secret in the local Secrets Manager, as the CDK stack does on deploy:
 * 64 random characters of key material (what `GenerateSecretString` produces there).
 */
export async function createLocalSigningKeySecret(options: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<string> {
  const client = new SecretsManagerClient({ ...options, maxAttempts: 1 });
  try {
    const created = await client.send(
      new CreateSecretCommand({
        Name: LOCAL_SIGNING_KEY_SECRET_NAME,
        Description: 'Key that encrypts the webhooks signing secrets (envelope mode)',
        SecretString: randomBytes(48).toString('base64url'),
      }),
    );
    return created.ARN ?? LOCAL_SIGNING_KEY_SECRET_NAME;
  } finally {
    client.destroy();
  }
}
