/** The event mapper function, its CRM stream event sources and its grants. */

import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping, FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IDependable } from 'constructs';
import type { CrmSourcesConfig } from '../../../shared/config/crmSourcesConfig';
import { SERVICE_NAMES } from '../../../shared/observability/metricCatalog';
import { handlerEntries } from '../projectPaths';
import type { StackSettings } from '../stackSettings';
import type { CrmSourceTable } from './crmSourceTables';
import { acknowledge } from './nagAcknowledgements';
import { ProductFunction } from './productFunction';

/** Lambda caps all environment variables at 4 KB; this leaves room for the others. */
export const MAX_CRM_SOURCES_CONFIG_CHARS = 3000;

/**
 * The CRM_SOURCES_CONFIG value the event mapper and the management API read. Lambda caps a function's
 * environment variables at 4 KB in total:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
export function crmSourcesEnvironmentValue(config: CrmSourcesConfig): string {
  const json = JSON.stringify(config);
  if (json.length > MAX_CRM_SOURCES_CONFIG_CHARS) {
    throw new Error(
      `The CRM sources config is ${json.length} characters as JSON; Lambda allows 4 KB of environment variables in total, so it must stay under ${MAX_CRM_SOURCES_CONFIG_CHARS}. Shorten table names or split the tables across stacks.`,
    );
  }
  return json;
}

export interface EventMapperFunctionProps {
  settings: StackSettings;
  removalPolicy: RemovalPolicy;
  crmSources: CrmSourcesConfig;
  crmTables: CrmSourceTable[];
  webhooksTable: ITable;
  deliveriesQueue: IQueue;
  failureQueue: IQueue;
  /** When set, the stream mappings are created only after it (the deploy-time stream check) succeeded. */
  streamCheck?: IDependable;
}

/**
 * Turns CRM table stream records into delivery jobs. One event source mapping per CRM table; a batch
 * that keeps failing is bisected down to the bad record, retried a bounded number of times and then
 * described on the failure queue, so one poison record cannot block its shard for 24 hours.
 */
export class EventMapperFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: EventMapperFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const crmSourcesJson = crmSourcesEnvironmentValue(props.crmSources);

    const product = new ProductFunction(this, 'Mapper', {
      entry: handlerEntries.eventMapper,
      serviceName: SERVICE_NAMES.eventMapper,
      description: 'CRM webhooks event mapper: DynamoDB stream records to delivery jobs',
      timeout: Duration.seconds(60),
      memorySize: 512,
      reservedConcurrentExecutions: settings.mapperReservedConcurrency,
      logRetention: settings.logRetentionDays,
      logLevel: settings.logLevel,
      removalPolicy: props.removalPolicy,
      environment: {
        WEBHOOKS_TABLE: props.webhooksTable.tableName,
        DELIVERIES_QUEUE_URL: props.deliveriesQueue.queueUrl,
        CRM_SOURCES_CONFIG: crmSourcesJson,
        WEBHOOK_CACHE_TTL_SECONDS: '30',
      },
    });
    this.fn = product.fn;

    // The mapper lists a workspace's webhooks (one Query per workspace) and enqueues jobs; nothing else.
    props.webhooksTable.grant(this.fn, 'dynamodb:Query');
    // SendMessageBatch is authorized by sqs:SendMessage (grantSendMessages would add GetQueueAttributes and
    // GetQueueUrl, which the mapper never calls):
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
    props.deliveriesQueue.grant(this.fn, 'sqs:SendMessage');

    // Lambda's stream poller uses the function's role: DescribeStream, GetShardIterator, GetRecords on each
    // stream and ListStreams on "*" (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions),
    // and SendMessage to the on-failure queue. SqsDlq's grant also adds GetQueueAttributes and GetQueueUrl.
    const onFailure = new SqsDlq(props.failureQueue);
    for (const { table, config } of props.crmTables) {
      this.fn.addEventSource(
        new DynamoEventSource(table, {
          // Webhooks are about changes from now on; replaying a day of history on first deploy would
          // flood every receiver.
          startingPosition: StartingPosition.LATEST,
          batchSize: settings.mapperBatchSize,
          // From the latency preset (shared/config/latencyPresets.ts). Without a window Lambda invokes as
          // soon as a poll (about four a second per shard) returns records; with one it waits for a full
          // batch or the window's end: https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
          maxBatchingWindow:
            settings.mapperBatchingWindowSeconds > 0
              ? Duration.seconds(settings.mapperBatchingWindowSeconds)
              : undefined,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          retryAttempts: settings.mapperRetryAttempts,
          maxRecordAge: Duration.hours(settings.mapperMaxRecordAgeHours),
          parallelizationFactor: settings.mapperParallelizationFactor,
          onFailure,
          filters:
            config.objectAttribute === undefined ? undefined : objectItemFilters(config.objectAttribute),
        }),
      );
    }

    if (props.streamCheck !== undefined) {
      for (const child of this.fn.node.children) {
        if (child instanceof EventSourceMapping) child.node.addDependency(props.streamCheck);
      }
    }

    acknowledge(
      product,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, granted by the DynamoDB event source mapping, does not support resource-level permissions (AWS requires "*"). It only lists stream ARNs; reading records is scoped to the configured tables\' stream ARNs.',
    );
  }
}

/**
 * In a single-table design most items (GSI overloads, counters, relations) are not CRM objects. Records
 * whose old and new images both lack the object attribute are dropped by Lambda's event filter, so
 * they cost no invocation.
 */
function objectItemFilters(objectAttribute: string) {
  return [
    FilterCriteria.filter({ dynamodb: { NewImage: { [objectAttribute]: { S: FilterRule.exists() } } } }),
    FilterCriteria.filter({ dynamodb: { OldImage: { [objectAttribute]: { S: FilterRule.exists() } } } }),
  ];
}
