/**
 * The CDK app (cdk.json `app`): synthesizes the stack, checked by cdk-nag, with settings mistakes reported in
 * one message.
 */

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createCrmWebhooksStack } from './createCrmWebhooksStack';
import { SynthConfigurationError } from './synthConfigurationError';

const app = new App();
try {
  createCrmWebhooksStack(app);
} catch (error) {
  // A settings mistake is the deployer's to fix: its message names every bad value; a stack trace
  // would only bury it. Anything else is a bug and keeps its trace.
  if (!(error instanceof SynthConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// cdk-nag runs on every synth: an unacknowledged finding fails `cdk synth` and `cdk deploy`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
