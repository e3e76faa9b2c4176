import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createCrmWebhooksStack } from './createCrmWebhooksStack';

const app = new App();
createCrmWebhooksStack(app);
// cdk-nag runs on every synth: an unacknowledged finding fails `cdk synth` and `cdk deploy`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
