/**
 * Operator tool, envelope mode: after putting a new version of the key secret, re-seals every webhook's
 * signing secrets under it (deliveries keep verifying throughout; receivers see no change).
 *   WEBHOOKS_TABLE=<table> SIGNING_KEY_SECRET_ID=<arn> npm run rewrap-secrets
 * Reads the standard AWS settings (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_*). Needs dynamodb:Scan,
 * GetItem and UpdateItem on the webhooks table and secretsmanager:GetSecretValue on the key secret.
 */

import { fileURLToPath } from 'node:url';
import { createDynamoDbClient, createSecretsManagerClient } from '../../shared/adapters/aws/clients';
import { WebhookStore } from '../../shared/adapters/dynamodb/webhookStore';
import { CredentialKeyring } from '../../shared/adapters/secrets/credentialKeyring';
import { rewrapSigningSecrets } from '../../shared/adapters/secrets/rewrapSigningSecrets';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const table = process.env.WEBHOOKS_TABLE;
  const keySecretId = process.env.SIGNING_KEY_SECRET_ID;
  if (!table || !keySecretId) {
    console.error('WEBHOOKS_TABLE and SIGNING_KEY_SECRET_ID are required (see the stack outputs).');
    process.exitCode = 2;
    return;
  }
  const dynamo = createDynamoDbClient();
  const secrets = createSecretsManagerClient();
  try {
    const report = await rewrapSigningSecrets({
      webhooks: new WebhookStore(dynamo, table),
      keyring: new CredentialKeyring(secrets, keySecretId),
    });
    console.log(
      `Scanned ${report.scanned} webhooks: ${report.rewrapped} re-wrapped under the current key, ${report.alreadyCurrent} already current, ${report.notSealed} without sealed secrets (per-webhook mode).`,
    );
  } catch (error) {
    console.error(`Failed: ${(error as Error).name}: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    dynamo.destroy();
    secrets.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
