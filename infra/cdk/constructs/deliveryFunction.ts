/** The delivery function, its queues' event sources and its grants. */

import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE_NAMES } from '../../../shared/observability/metricCatalog';
import { handlerEntries } from '../projectPaths';
import type { StackSettings } from '../stackSettings';
import { acknowledge } from './nagAcknowledgements';
import { ProductFunction } from './productFunction';
import type { SigningKeySecret } from './signingKeySecret';
import {
  secretStoreEnvironment,
  webhookSecretsArn,
  webhookSecretsArnAsNagFinding,
} from './webhookSecretsArn';

export interface DeliveryFunctionProps {
  settings: StackSettings;
  removalPolicy: RemovalPolicy;
  webhooksTable: ITable;
  deliveryLogTable: ITable;
  deliveriesQueue: IQueue;
  /** The key secret, in envelope mode. */
  signingKey?: SigningKeySecret;
  slowLaneQueue: IQueue;
  deadLetterQueue: IQueue;
}

/**
 * Signs and POSTs delivery jobs. A failed attempt is re-sent by the function as a new message with a
 * delay (no job waits in flight), and after the last attempt the function sends the job to the DLQ
 * itself; `maxConcurrency` caps parallel requests so receivers (and Lambda concurrency) are not
 * flooded after an outage.
 */
export class DeliveryFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: DeliveryFunctionProps) {
    super(scope, id);
    const { settings } = props;
    this.timeout = Duration.seconds(settings.deliveryTimeoutSeconds);

    const product = new ProductFunction(this, 'Delivery', {
      entry: handlerEntries.delivery,
      serviceName: SERVICE_NAMES.delivery,
      description: 'CRM webhooks delivery: signs and POSTs jobs from the deliveries queue',
      timeout: this.timeout,
      memorySize: 512,
      reservedConcurrentExecutions: settings.deliveryReservedConcurrency,
      logRetention: settings.logRetentionDays,
      logLevel: settings.logLevel,
      removalPolicy: props.removalPolicy,
      environment: {
        WEBHOOKS_TABLE: props.webhooksTable.tableName,
        DELIVERY_LOG_TABLE: props.deliveryLogTable.tableName,
        DELIVERIES_QUEUE_URL: props.deliveriesQueue.queueUrl,
        ...secretStoreEnvironment(settings, props.signingKey),
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        SLOW_LANE_QUEUE_URL: props.slowLaneQueue.queueUrl,
        PRIMARY_LANE_TIMEOUT_MS: String(settings.primaryLaneTimeoutMs),
        PRIMARY_LANE_SLOW_AFTER_MS: String(settings.primaryLaneSlowAfterMs),
        BREAKER_FAILURE_THRESHOLD: String(settings.breakerFailureThreshold),
        BREAKER_COOLDOWN_SECONDS: String(settings.breakerCooldownSeconds),
        SLOW_MARK_SECONDS: String(settings.slowMarkSeconds),
        WEBHOOK_CACHE_TTL_SECONDS: '5',
        MAX_ATTEMPTS: String(settings.maxAttempts),
        REQUEST_TIMEOUT_MS: String(settings.requestTimeoutMs),
        AUTO_DISABLE_AFTER_HOURS: String(settings.autoDisableAfterHours),
        DELIVERY_LOG_TTL_DAYS: String(settings.deliveryLogTtlDays),
        DELIVERY_LOG_SUCCESS_SAMPLE_RATE: String(settings.deliveryLogSuccessSampleRate),
        ...(settings.retryDelaysSeconds === undefined
          ? {}
          : { RETRY_DELAYS_SECONDS: settings.retryDelaysSeconds }),
      },
    });
    this.fn = product.fn;

    // Reads the webhook (status, format) and records failure bookkeeping / auto-disable on it.
    props.webhooksTable.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    // Attempts are collected per invocation and written with BatchWriteItem, which needs its own action:
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html
    // PutItem: the webhook's dead-letter index beside the attempt log. UpdateItem: the delivery limiter's
    // items (rate slots and concurrency leases) in the limited webhook's partition.
    props.deliveryLogTable.grant(
      this.fn,
      'dynamodb:PutItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateItem',
    );
    // Retries are new messages with DelaySeconds; dead letters are sent to the DLQ by the function.
    // SendMessageBatch is authorized by sqs:SendMessage.
    props.deliveriesQueue.grant(this.fn, 'sqs:SendMessage');
    props.slowLaneQueue.grant(this.fn, 'sqs:SendMessage');
    props.deadLetterQueue.grant(this.fn, 'sqs:SendMessage');
    if (props.signingKey !== undefined) {
      // Envelope mode: the key secret only, read once per key version per container.
      props.signingKey.grantRead(this.fn);
    } else {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'ReadWebhookSecretsUnderPrefix',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [webhookSecretsArn(this, settings.secretNamePrefix)],
        }),
      );
      acknowledge(
        product,
        `AwsSolutions-IAM5[${webhookSecretsArnAsNagFinding(this, settings.secretNamePrefix)}]`,
        `Delivery reads the signing secret of whichever webhook a job targets; secrets are created at run time under ${settings.secretNamePrefix}/<workspaceId>/<webhookId>, so only a prefix pattern can name them. The grant is read-only (GetSecretValue) and limited to the product's prefix in this account and region.`,
      );
    }

    // The event source grants what Lambda's poller needs on the queue (ReceiveMessage, DeleteMessage,
    // GetQueueAttributes: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions);
    // CDK adds ChangeMessageVisibility and GetQueueUrl to that grant, and cannot be told not to.
    // The batching window comes from the latency preset (shared/config/latencyPresets.ts): without one,
    // Lambda invokes with whatever a poll returns; with one it keeps polling until the batch is full or the
    // window has passed: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
    // Two lanes, one handler: each event source has its own maxConcurrency, so endpoints that are slow
    // or failing (whose jobs run only in the slow lane) can never take the primary lane's slots. The
    // function tells the lanes apart by the record's eventSourceARN.
    const batchingWindow =
      settings.deliveryBatchingWindowSeconds > 0
        ? Duration.seconds(settings.deliveryBatchingWindowSeconds)
        : undefined;
    this.fn.addEventSource(
      new SqsEventSource(props.deliveriesQueue, {
        batchSize: settings.deliveryBatchSize,
        maxBatchingWindow: batchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: settings.deliveryMaxConcurrency,
      }),
    );
    this.fn.addEventSource(
      new SqsEventSource(props.slowLaneQueue, {
        batchSize: settings.slowLaneBatchSize,
        maxBatchingWindow: batchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: settings.slowLaneMaxConcurrency,
      }),
    );
  }
}
