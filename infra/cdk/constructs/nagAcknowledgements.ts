/** The shared wording of the cdk-nag findings this project accepts. */

import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag findings this project accepts, each with the reason a security reviewer would ask for. They
 * live next to the constructs they concern; this file only holds the shared wording.
 */
export function acknowledgeTerminalQueue(queue: IConstruct, reason: string): void {
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
}

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
