/** The management API function and its grants. */

import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CrmSourcesConfig } from '../../../shared/config/crmSourcesConfig';
import { SERVICE_NAMES } from '../../../shared/observability/metricCatalog';
import { handlerEntries } from '../projectPaths';
import type { StackSettings } from '../stackSettings';
import { crmSourcesEnvironmentValue } from './eventMapperFunction';
import { acknowledge } from './nagAcknowledgements';
import { ProductFunction } from './productFunction';
import type { SigningKeySecret } from './signingKeySecret';
import {
  secretStoreEnvironment,
  webhookSecretsArn,
  webhookSecretsArnAsNagFinding,
} from './webhookSecretsArn';

export interface SubscriptionsApiFunctionProps {
  settings: StackSettings;
  removalPolicy: RemovalPolicy;
  webhooksTable: ITable;
  apiKeysTable: ITable;
  deliveryLogTable: ITable;
  deliveriesQueue: IQueue;
  /** The key secret, in envelope mode. */
  signingKey?: SigningKeySecret;
  /** The CRM sources: `GET /objects` lists their objects, and the API accepts operations only for them. */
  crmSources: CrmSourcesConfig;
}

/**
 * Where the web console lands in the function: the build writes it beside the bundle, and Lambda
 * unpacks the deployment package into LAMBDA_TASK_ROOT, /var/task.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
const CONSOLE_DIR_IN_ASSET = 'console';
const LAMBDA_TASK_ROOT = '/var/task';

/** Single-quoted for bash, which runs the bundling hooks. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Actions the API calls on per-webhook secrets (WebhookSecrets): CreateSecret on POST, PutSecretValue on
 * rotation, DeleteSecret on delete and on a failed create's rollback. It never reads them back.
 */
const API_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:DeleteSecret',
];

/** The management API's function: every route of the HTTP API lands here and its own router answers. */
export class SubscriptionsApiFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: SubscriptionsApiFunctionProps) {
    super(scope, id);
    const { settings } = props;

    const product = new ProductFunction(this, 'Api', {
      entry: handlerEntries.subscriptionsApi,
      serviceName: SERVICE_NAMES.subscriptionsApi,
      description: 'CRM webhooks management API (HTTP API payload 2.0)',
      // HTTP APIs stop waiting after 30 s; a longer function timeout would only run on unanswered.
      timeout: Duration.seconds(29),
      memorySize: 512,
      reservedConcurrentExecutions: settings.apiReservedConcurrency,
      logRetention: settings.logRetentionDays,
      logLevel: settings.logLevel,
      removalPolicy: props.removalPolicy,
      environment: {
        WEBHOOKS_TABLE: props.webhooksTable.tableName,
        API_KEYS_TABLE: props.apiKeysTable.tableName,
        DELIVERY_LOG_TABLE: props.deliveryLogTable.tableName,
        DELIVERIES_QUEUE_URL: props.deliveriesQueue.queueUrl,
        MAX_WEBHOOKS_PER_WORKSPACE: String(settings.maxWebhooksPerWorkspace),
        ...secretStoreEnvironment(settings, props.signingKey),
        CRM_SOURCES_CONFIG: crmSourcesEnvironmentValue(props.crmSources),
        CONSOLE_ASSETS_DIR: `${LAMBDA_TASK_ROOT}/${CONSOLE_DIR_IN_ASSET}`,
      },
      // The web console is built at synth time into the function's asset (nothing built is committed).
      afterBundling: (inputDir, outputDir) => [
        `node --import tsx ${shellQuote(`${inputDir}/infra/cli/buildConsole.ts`)} ${shellQuote(`${outputDir}/${CONSOLE_DIR_IN_ASSET}`)}`,
      ],
    });
    this.fn = product.fn;

    // Exactly the calls the routes make (test/iam checks them against the calls recorded in the suites).
    props.webhooksTable.grant(
      this.fn,
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    // Authentication looks a key up by its hash.
    props.apiKeysTable.grant(this.fn, 'dynamodb:GetItem');
    // GET /webhooks/{id}/deliveries (Query); redrive and resend read the webhook's dead-letter index
    // beside it (Query, GetItem) and remove the entries they sent back (DeleteItem).
    props.deliveryLogTable.grant(this.fn, 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:DeleteItem');
    // POST /webhooks/{id}/test, redrive and resend enqueue delivery jobs (SendMessageBatch is authorized
    // by sqs:SendMessage). The API never touches the SQS dead-letter queue.
    props.deliveriesQueue.grant(this.fn, 'sqs:SendMessage');
    if (props.signingKey !== undefined) {
      // Envelope mode: reads the key's current version to seal new secrets; writes nothing to Secrets Manager.
      props.signingKey.grantRead(this.fn);
    } else {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'WebhookSecretsUnderPrefix',
          actions: API_SECRET_ACTIONS,
          resources: [webhookSecretsArn(this, settings.secretNamePrefix)],
        }),
      );
      acknowledge(
        product,
        `AwsSolutions-IAM5[${webhookSecretsArnAsNagFinding(this, settings.secretNamePrefix)}]`,
        `Per-webhook signing secrets are created at run time (one per webhook, named ${settings.secretNamePrefix}/<workspaceId>/<webhookId>), so their ARNs cannot be listed at deploy time. The wildcard is limited to the product's own name prefix in this account and region, and to the three secret actions the API performs.`,
      );
    }
  }
}
