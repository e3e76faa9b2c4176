/** Builds the stack from the app's context (settings, then the CRM sources config file they name). */

import type { App } from 'aws-cdk-lib';
import { CrmWebhooksStack } from './crmWebhooksStack';
import { loadCrmSourcesConfig } from './loadCrmSourcesConfig';
import { projectRoot } from './projectPaths';
import { readStackSettings } from './stackSettings';

/**
 * Builds the stack from the app's context: settings, then the CRM sources config file they name. Shared
 * by `app.ts` (cdk synth/deploy) and the infra tests, so both take the same path.
 */
export function createCrmWebhooksStack(app: App): CrmWebhooksStack {
  const settings = readStackSettings(app.node);
  const crmSources = loadCrmSourcesConfig(settings.crmSourcesConfig, projectRoot);
  return new CrmWebhooksStack(app, settings.stackName, {
    settings,
    crmSources,
    description: 'CRM webhooks: signed, retried webhooks for CRM records stored in DynamoDB',
  });
}
