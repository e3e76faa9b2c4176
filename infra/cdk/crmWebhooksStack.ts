/** The whole pipeline as one CloudFormation stack. */

import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { CrmSourceTables } from './constructs/crmSourceTables';
import { CrmTableStreamCheck } from './constructs/crmTableStreamCheck';
import { DeliveryFunction } from './constructs/deliveryFunction';
import { DeliveryQueues } from './constructs/deliveryQueues';
import { EventMapperFunction } from './constructs/eventMapperFunction';
import { ManagementApi } from './constructs/managementApi';
import { PipelineMonitoring } from './constructs/pipelineMonitoring';
import { ProductTables } from './constructs/productTables';
import { SigningKeySecret } from './constructs/signingKeySecret';
import { SubscriptionsApiFunction } from './constructs/subscriptionsApiFunction';
import type { StackSettings } from './stackSettings';

export interface CrmWebhooksStackProps extends StackProps {
  settings: StackSettings;
  crmSources: CrmSourcesConfig;
}

/**
 * The whole pipeline: management API, CRM table streams -> event mapper -> deliveries queue -> delivery
 * (-> DLQ), the product's tables, and the monitoring that watches it.
 */
export class CrmWebhooksStack extends Stack {
  readonly tables: ProductTables;
  readonly crmTables: CrmSourceTables;
  readonly queues: DeliveryQueues;
  readonly api: SubscriptionsApiFunction;
  readonly mapper: EventMapperFunction;
  readonly delivery: DeliveryFunction;
  readonly httpApi: ManagementApi;
  readonly monitoring: PipelineMonitoring;
  /** Envelope mode only: the key that encrypts the signing secrets. */
  readonly signingKey?: SigningKeySecret;
  readonly streamCheck: CrmTableStreamCheck | undefined;

  constructor(scope: Construct, id: string, props: CrmWebhooksStackProps) {
    super(scope, id, props);
    const { settings, crmSources } = props;
    const removalPolicy = settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.tables = new ProductTables(this, 'Tables', {
      removalPolicy,
      deliveryLogPointInTimeRecovery: settings.deliveryLogPointInTimeRecovery,
    });
    this.crmTables = new CrmSourceTables(this, 'CrmTables', { config: crmSources, removalPolicy });
    const importedTables = crmSources.crmTables.flatMap((t) =>
      t.streamArn === undefined ? [] : [{ ...t, streamArn: t.streamArn }],
    );
    // Imported tables are checked during the deployment; the stack's own tables are NEW_AND_OLD_IMAGES.
    this.streamCheck =
      importedTables.length === 0
        ? undefined
        : new CrmTableStreamCheck(this, 'StreamCheck', { settings, removalPolicy, importedTables });

    // The queue's visibility timeout derives from the delivery timeout, so the value is computed here
    // from settings rather than read back from the function (which needs the queue first).
    this.queues = new DeliveryQueues(this, 'Queues', {
      crashLoopMaxReceives: settings.crashLoopMaxReceives,
      deliveryFunctionTimeoutSeconds: settings.deliveryTimeoutSeconds,
    });

    if (settings.secretStore === 'envelope') {
      this.signingKey = new SigningKeySecret(this, 'SigningKey', { removalPolicy });
    }

    this.api = new SubscriptionsApiFunction(this, 'SubscriptionsApi', {
      settings,
      signingKey: this.signingKey,
      removalPolicy,
      webhooksTable: this.tables.webhooks,
      apiKeysTable: this.tables.apiKeys,
      deliveryLogTable: this.tables.deliveryLog,
      deliveriesQueue: this.queues.deliveries,
      crmSources,
    });
    this.httpApi = new ManagementApi(this, 'ManagementApi', {
      handler: this.api.fn,
      throttleRateLimit: settings.apiThrottleRateLimit,
      throttleBurstLimit: settings.apiThrottleBurstLimit,
      logRetention: settings.logRetentionDays,
      removalPolicy,
    });

    this.mapper = new EventMapperFunction(this, 'EventMapper', {
      settings,
      removalPolicy,
      crmSources,
      crmTables: this.crmTables.tables,
      webhooksTable: this.tables.webhooks,
      deliveriesQueue: this.queues.deliveries,
      failureQueue: this.queues.mapperFailures,
      ...(this.streamCheck === undefined ? {} : { streamCheck: this.streamCheck.resource }),
    });

    this.delivery = new DeliveryFunction(this, 'Delivery', {
      settings,
      signingKey: this.signingKey,
      removalPolicy,
      webhooksTable: this.tables.webhooks,
      deliveryLogTable: this.tables.deliveryLog,
      deliveriesQueue: this.queues.deliveries,
      slowLaneQueue: this.queues.slowLane,
      deadLetterQueue: this.queues.deadLetter,
    });

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      namePrefix: this.stackName,
      alarmEmail: settings.alarmEmail,
      streamSilenceAlarmHours: settings.streamSilenceAlarmHours,
      subscriptionsApi: this.api.fn,
      eventMapper: this.mapper.fn,
      delivery: this.delivery.fn,
      httpApi: this.httpApi.httpApi,
      deliveriesQueue: this.queues.deliveries,
      slowLaneQueue: this.queues.slowLane,
      deadLetterQueue: this.queues.deadLetter,
      mapperFailureQueue: this.queues.mapperFailures,
      webhooksTable: this.tables.webhooks,
      deliveryLogTable: this.tables.deliveryLog,
    });

    this.addOutputs();
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.httpApi.url, 'Base URL of the management API');
    output('DeliveriesQueueUrl', this.queues.deliveries.queueUrl, 'Deliveries queue');
    output(
      'DeadLetterQueueUrl',
      this.queues.deadLetter.queueUrl,
      'Dead-letter queue of the deliveries queue',
    );
    output('MapperFailureQueueUrl', this.queues.mapperFailures.queueUrl, 'Event mapper on-failure queue');
    output('DashboardUrl', this.monitoring.dashboardUrl, 'CloudWatch dashboard');
    output('AlarmTopicArn', this.monitoring.alarmTopic.topicArn, 'SNS topic every alarm notifies');
    if (this.signingKey !== undefined) {
      output(
        'SigningKeySecretArn',
        this.signingKey.secret.secretArn,
        'Key secret of the signing secrets (SIGNING_KEY_SECRET_ID for npm run rewrap-secrets)',
      );
    }
    output('WebhooksTableName', this.tables.webhooks.tableName, 'Webhooks table (WEBHOOKS_TABLE)');
    output('ApiKeysTableName', this.tables.apiKeys.tableName, 'API keys table (API_KEYS_TABLE)');
    output(
      'DeliveryLogTableName',
      this.tables.deliveryLog.tableName,
      'Delivery log table (DELIVERY_LOG_TABLE)',
    );
    output(
      'CrmTableNames',
      this.crmTables.tables.map((t) => t.config.tableName).join(','),
      'CRM tables whose streams feed the event mapper',
    );
  }
}
