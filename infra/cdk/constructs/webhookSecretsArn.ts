/** The ARN pattern of per-webhook secrets, for grants, and each function's secret-store environment. */

import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * ARN pattern of every per-webhook secret (`<prefix>/<workspaceId>/<webhookId>` plus the random suffix
 * Secrets Manager appends). The secrets are created at run time by the API, so grants must use this
 * pattern; it is scoped to the product's prefix in this account and region.
 */
export function webhookSecretsArn(scope: IConstruct, secretNamePrefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretNamePrefix}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The same ARN as cdk-nag prints it in an IAM5 finding (unresolved pseudo parameters as `<AWS::...>`). */
export function webhookSecretsArnAsNagFinding(scope: IConstruct, secretNamePrefix: string): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${secretNamePrefix}/*`;
}

/** The functions' secret-store variables for the deployment's mode (read by secretStoreSettings). */
export function secretStoreEnvironment(
  settings: { secretStore: string; secretNamePrefix: string },
  signingKey: { secret: { secretArn: string } } | undefined,
): Record<string, string> {
  return signingKey !== undefined
    ? { SECRET_STORE: 'envelope', SIGNING_KEY_SECRET_ID: signingKey.secret.secretArn }
    : { SECRET_STORE: 'per-webhook', SECRET_NAME_PREFIX: settings.secretNamePrefix };
}
