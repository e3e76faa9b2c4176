/** Envelope mode's key secret in Secrets Manager, and read access to it. */

import type { RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nagAcknowledgements';

/**
 * Envelope mode's one Secrets Manager secret: random key material from which the functions derive the
 * AES-256 key that seals every webhook's signing secrets on its row. One secret costs $0.40 a month
 * whatever the number of webhooks (https://aws.amazon.com/secrets-manager/pricing/).
 *
 * Encrypted with the AWS managed key `aws/secretsmanager`, so readers need only
 * `secretsmanager:GetSecretValue` on this secret, no KMS grant
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
export class SigningKeySecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: { removalPolicy: RemovalPolicy }) {
    super(scope, id);
    this.secret = new Secret(this, 'Key', {
      description:
        'Key material that encrypts the CRM webhooks signing secrets. Rotate by putting a new random value, then run `npm run rewrap-secrets` (docs/architecture.md).',
      // 64 letters and digits, ≈ 381 bits; the functions derive the AES key with HKDF-SHA256.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Losing it loses every webhook's secrets: kept unless the whole stack is a throwaway demo.
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'The key is rotated by an operator (put a new random value, then `npm run rewrap-secrets` re-encrypts every webhook under it; old versions keep decrypting meanwhile). A Secrets Manager rotation Lambda could not re-wrap the rows, and rotating without re-wrapping twice in a row would strand webhooks on a removed version.',
    );
  }

  /** Read access for a function: the only call the functions make on it (by stage or version id). */
  grantRead(fn: IFunction & IGrantable): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadSigningKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
  }
}
