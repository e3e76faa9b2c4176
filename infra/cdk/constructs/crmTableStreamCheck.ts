/** The deploy-time custom resource that checks imported CRM tables' streams. */

import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { CrmTableConfig } from '../../../shared/config/crmSourcesConfig';
import { SERVICE_NAMES } from '../../../shared/observability/metricCatalog';
import { handlerEntries } from '../projectPaths';
import type { StackSettings } from '../stackSettings';
import { ProductFunction } from './productFunction';

export interface CrmTableStreamCheckProps {
  settings: StackSettings;
  removalPolicy: RemovalPolicy;
  /** The CRM tables the stack attaches to by stream ARN (config entries with `streamArn`). */
  importedTables: readonly (CrmTableConfig & { streamArn: string })[];
}

/** `arn:…:table/<name>/stream/<label>` → `arn:…:table/<name>`, the resource DescribeTable is authorized on. */
function tableArnOfStream(streamArn: string): string {
  return streamArn.slice(0, streamArn.indexOf('/stream/'));
}

/**
 * Fails `cdk deploy` with a clear message when an imported CRM table's stream cannot feed the event
 * mapper: disabled, not NEW_AND_OLD_IMAGES, or not the stream ARN the config names. A Lambda-backed
 * custom resource: CloudFormation sends it Create/Update/Delete and shows its FAILED reason in the stack
 * events. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources-lambda.html
 *
 * CloudFormation invokes the function with the deploying principal's permissions, so the function
 * needs no resource policy; its own role may only describe the imported tables.
 */
export class CrmTableStreamCheck extends Construct {
  readonly fn: NodejsFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: CrmTableStreamCheckProps) {
    super(scope, id);
    const product = new ProductFunction(this, 'Checker', {
      entry: handlerEntries.crmStreamCheck,
      serviceName: SERVICE_NAMES.crmStreamCheck,
      description:
        'CRM webhooks deploy-time check: imported CRM tables stream NEW_AND_OLD_IMAGES to the configured ARN',
      timeout: Duration.seconds(60),
      memorySize: 256,
      logRetention: props.settings.logRetentionDays,
      logLevel: props.settings.logLevel,
      removalPolicy: props.removalPolicy,
      environment: {},
    });
    this.fn = product.fn;
    this.fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'DescribeImportedCrmTables',
        actions: ['dynamodb:DescribeTable'],
        resources: props.importedTables.map((t) => tableArnOfStream(t.streamArn)),
      }),
    );

    this.resource = new CustomResource(this, 'Check', {
      serviceToken: this.fn.functionArn,
      resourceType: 'Custom::CrmTableStreamCheck',
      // The handler always answers; should it not, fail the deployment in minutes instead of an hour.
      serviceTimeout: Duration.minutes(5),
      properties: {
        // A changed table list or stream ARN is an Update, so every deploy that changes them re-checks.
        Tables: props.importedTables.map((t) => ({ TableName: t.tableName, StreamArn: t.streamArn })),
      },
    });
  }
}
