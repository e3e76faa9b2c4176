import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_THRESHOLDS } from '../../infra/cdk/constructs/pipelineMonitoring';
import {
  API_KEYS_TABLE_KEYS,
  DELIVERY_LOG_TABLE_KEYS,
  WEBHOOKS_TABLE_KEYS,
} from '../../shared/config/tables';
import {
  actionsOf,
  buildTestStack,
  type CfnProperties,
  type PolicyStatementJson,
  referencedId,
  resourceOf,
  statementsOfFunction,
  streamArnFor,
  type TestStack,
} from './helpers/stackFactories';

const FUNCTION_IDS = ['SubscriptionsApiFunction', 'EventMapperFunction', 'DeliveryFunction'] as const;
const DEMO_TABLES = ['person', 'company', 'note', 'task', 'opportunity'];

describe('CrmWebhooksStack with the default demo config', () => {
  let built: TestStack;
  beforeAll(() => {
    built = buildTestStack();
  });
  /** Logical id of the key secret (envelope mode, the default). */
  const signingKeyId = () => resourceOf(built.template, 'AWS::SecretsManager::Secret', 'SigningKey').id;

  describe('product tables', () => {
    it.each([
      ['WebhooksTable', WEBHOOKS_TABLE_KEYS.partitionKey, WEBHOOKS_TABLE_KEYS.sortKey, true],
      ['ApiKeysTable', API_KEYS_TABLE_KEYS.partitionKey, undefined, true],
      // The TTL'd delivery log has no point-in-time recovery unless deliveryLogPointInTimeRecovery asks.
      ['DeliveryLogTable', DELIVERY_LOG_TABLE_KEYS.partitionKey, DELIVERY_LOG_TABLE_KEYS.sortKey, false],
    ])(
      '%s: shared key layout, on-demand, PITR %s, encrypted, retained',
      (id, partitionKey, sortKey, pitr) => {
        const table = resourceOf(built.template, 'AWS::DynamoDB::Table', id);
        expect(table.Properties.KeySchema).toEqual([
          { AttributeName: partitionKey, KeyType: 'HASH' },
          ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' }] : []),
        ]);
        expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
        expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
          PointInTimeRecoveryEnabled: pitr,
        });
        expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
        expect(built.template.toJSON().Resources[table.id].DeletionPolicy).toBe('Retain');
      },
    );

    it('deliveryLogPointInTimeRecovery=true turns PITR on for the delivery log; the sample rate reaches delivery', () => {
      const { template } = buildTestStack({
        context: { deliveryLogPointInTimeRecovery: 'true', deliveryLogSuccessSampleRate: '0.1' },
      });
      expect(
        resourceOf(template, 'AWS::DynamoDB::Table', 'DeliveryLogTable').Properties
          .PointInTimeRecoverySpecification,
      ).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(
        resourceOf(template, 'AWS::Lambda::Function', 'DeliveryFunction').Properties.Environment.Variables
          .DELIVERY_LOG_SUCCESS_SAMPLE_RATE,
      ).toBe('0.1');
    });

    it('expires delivery log entries with TTL on expiresAt', () => {
      const table = resourceOf(built.template, 'AWS::DynamoDB::Table', 'DeliveryLogTable');
      expect(table.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: DELIVERY_LOG_TABLE_KEYS.ttlAttribute,
        Enabled: true,
      });
    });
  });

  describe('CRM tables', () => {
    it('creates each demo table under its configured name with a NEW_AND_OLD_IMAGES stream and PITR', () => {
      for (const name of DEMO_TABLES) {
        built.template.hasResourceProperties('AWS::DynamoDB::Table', {
          TableName: name,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          BillingMode: 'PAY_PER_REQUEST',
        });
      }
      built.template.resourceCountIs('AWS::DynamoDB::Table', 3 + DEMO_TABLES.length);
    });

    it('feeds every CRM stream to the event mapper with bounded, bisecting retries and a failure queue', () => {
      const mapperId = resourceOf(built.template, 'AWS::Lambda::Function', 'EventMapperFunction').id;
      const failureQueueId = resourceOf(built.template, 'AWS::SQS::Queue', 'MapperFailureQueue').id;
      const mappings = built.template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: mapperId } },
      });
      expect(Object.keys(mappings)).toHaveLength(DEMO_TABLES.length);
      for (const mapping of Object.values(mappings)) {
        expect(mapping.Properties).toMatchObject({
          StartingPosition: 'LATEST',
          BatchSize: 100,
          BisectBatchOnFunctionError: true,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          MaximumRetryAttempts: 10,
          MaximumRecordAgeInSeconds: 6 * 3600,
          ParallelizationFactor: 1,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureQueueId, 'Arn'] } } },
        });
        // The default latency preset, realtime: invoked as soon as a poll returns records.
        expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
        // One table per object: every record is a CRM record, so a filter would save nothing.
        expect(mapping.Properties.FilterCriteria).toBeUndefined();
      }
      const streamSources = Object.values(mappings).map((m) => m.Properties.EventSourceArn['Fn::GetAtt']);
      expect(streamSources.every(([, attr]: string[]) => attr === 'StreamArn')).toBe(true);
    });
  });

  describe('queues', () => {
    it("redrives a crash-looping message to the DLQ after 5 receives; MAX_ATTEMPTS is the function's", () => {
      const dlqId = resourceOf(built.template, 'AWS::SQS::Queue', 'DeadLetterQueue').id;
      const queue = resourceOf(built.template, 'AWS::SQS::Queue', 'DeliveriesQueue');
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: 5,
      });
      const delivery = resourceOf(built.template, 'AWS::Lambda::Function', 'DeliveryFunction');
      expect(delivery.Properties.Environment.Variables.MAX_ATTEMPTS).toBe('10');
      expect(delivery.Properties.Environment.Variables.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: dlqId });
    });

    it('keeps the visibility timeout at least 6x the delivery function timeout', () => {
      const queue = resourceOf(built.template, 'AWS::SQS::Queue', 'DeliveriesQueue');
      const delivery = resourceOf(built.template, 'AWS::Lambda::Function', 'DeliveryFunction');
      expect(delivery.Properties.Timeout).toBe(60);
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * delivery.Properties.Timeout);
    });

    it.each(['DeliveriesQueue', 'DeadLetterQueue', 'MapperFailureQueue'])(
      '%s: SQS-managed SSE, 14 days retention, TLS-only policy',
      (id) => {
        const queue = resourceOf(built.template, 'AWS::SQS::Queue', id);
        expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
        expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
        built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: queue.id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      },
    );
  });

  describe('functions', () => {
    it.each(FUNCTION_IDS)(
      '%s: nodejs22.x on arm64, ESM bundle handler, own log group with retention',
      (id) => {
        const fn = resourceOf(built.template, 'AWS::Lambda::Function', id);
        expect(fn.Properties.Runtime).toBe('nodejs22.x');
        expect(fn.Properties.Architectures).toEqual(['arm64']);
        expect(fn.Properties.Handler).toBe('index.handler');
        const logGroupId = referencedId(fn.Properties.LoggingConfig.LogGroup)!;
        const logGroup = built.template.toJSON().Resources[logGroupId];
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(logGroup.Properties.RetentionInDays).toBe(30);
        // No reserved concurrency unless asked for: it would carve capacity out of the account pool.
        expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      },
    );

    it.each([
      ['SubscriptionsApiFunction', 'subscriptions-api'],
      ['EventMapperFunction', 'event-mapper'],
      ['DeliveryFunction', 'delivery'],
    ])('%s: Powertools environment and never LOCAL_MODE', (id, service) => {
      const env = resourceOf(built.template, 'AWS::Lambda::Function', id).Properties.Environment.Variables;
      expect(env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: 'CrmWebhooks',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
      expect(env.LOCAL_MODE).toBeUndefined();
      expect(Object.keys(env).some((k) => k.startsWith('AWS_ENDPOINT_URL'))).toBe(false);
    });

    it('gives each function the environment variables of docs/architecture.md', () => {
      const envOf = (id: string) =>
        resourceOf(built.template, 'AWS::Lambda::Function', id).Properties.Environment.Variables;
      expect(Object.keys(envOf('SubscriptionsApiFunction'))).toEqual(
        expect.arrayContaining([
          'WEBHOOKS_TABLE',
          'API_KEYS_TABLE',
          'DELIVERY_LOG_TABLE',
          'DELIVERIES_QUEUE_URL',
          'SECRET_STORE',
          'SIGNING_KEY_SECRET_ID',
          'CRM_SOURCES_CONFIG',
        ]),
      );
      // Envelope mode (the default): both functions name the stack's key secret.
      expect(envOf('SubscriptionsApiFunction').SIGNING_KEY_SECRET_ID).toEqual({ Ref: signingKeyId() });
      expect(envOf('SubscriptionsApiFunction').SECRET_NAME_PREFIX).toBeUndefined();
      const mapperEnv = envOf('EventMapperFunction');
      // The API validates operations against the very config the mapper maps records with.
      expect(envOf('SubscriptionsApiFunction').CRM_SOURCES_CONFIG).toBe(mapperEnv.CRM_SOURCES_CONFIG);
      expect(Object.keys(mapperEnv)).toEqual(
        expect.arrayContaining(['WEBHOOKS_TABLE', 'DELIVERIES_QUEUE_URL', 'CRM_SOURCES_CONFIG']),
      );
      expect(
        JSON.parse(mapperEnv.CRM_SOURCES_CONFIG).crmTables.map((t: { tableName: string }) => t.tableName),
      ).toEqual(DEMO_TABLES);
      expect(envOf('DeliveryFunction')).toMatchObject({
        SECRET_STORE: 'envelope',
        SIGNING_KEY_SECRET_ID: { Ref: signingKeyId() },
        MAX_ATTEMPTS: '10',
        REQUEST_TIMEOUT_MS: '10000',
        AUTO_DISABLE_AFTER_HOURS: '120',
        DELIVERY_LOG_TTL_DAYS: '30',
        WEBHOOK_CACHE_TTL_SECONDS: '5',
      });
    });

    it('consumes both lanes with partial batch failures, no batching window (realtime) and a concurrency cap each', () => {
      const deliveryId = resourceOf(built.template, 'AWS::Lambda::Function', 'DeliveryFunction').id;
      for (const [queue, concurrency] of [
        ['DeliveriesQueue', 100],
        ['SlowLaneQueue', 20],
      ] as const) {
        const queueId = resourceOf(built.template, 'AWS::SQS::Queue', queue).id;
        built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: deliveryId },
          EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: Match.absent(),
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: concurrency },
        });
      }
    });
  });

  describe('management API', () => {
    it('sends every request to the API function through one $default route (payload 2.0)', () => {
      const fnId = resourceOf(built.template, 'AWS::Lambda::Function', 'SubscriptionsApiFunction').id;
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
      built.template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
      });
    });

    it('declares the web console routes public and no other route: the API routes stay behind the key check of the function', () => {
      const routes = Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')) as {
        Properties: { RouteKey: string; AuthorizationType?: string; Target: unknown };
      }[];
      expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
        ['$default', 'GET /console', 'GET /console/{proxy+}'].sort(),
      );
      // One integration (the API function) behind every route: the console is served by the same function.
      const [integrationId] = Object.keys(built.template.findResources('AWS::ApiGatewayV2::Integration'));
      for (const route of routes) {
        expect(JSON.stringify(route.Properties.Target)).toContain(integrationId);
        // No API Gateway authorizer anywhere: the function authenticates every route but the console's
        // assets and /openapi.json (test/integration/subscriptionsApi/consoleRoutes.test.ts).
        expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
      }
      built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    });

    it('gives the API function the console directory and the CRM sources it lists in GET /objects', () => {
      const fn = resourceOf(built.template, 'AWS::Lambda::Function', 'SubscriptionsApiFunction');
      const variables = fn.Properties.Environment.Variables;
      expect(variables.CONSOLE_ASSETS_DIR).toBe('/var/task/console');
      expect(JSON.parse(variables.CRM_SOURCES_CONFIG).crmTables.length).toBeGreaterThan(0);
    });

    it('throttles the stage and writes access logs without headers', () => {
      const stage = resourceOf(built.template, 'AWS::ApiGatewayV2::Stage', 'DefaultStage');
      expect(stage.Properties.StageName).toBe('$default');
      expect(stage.Properties.DefaultRouteSettings).toEqual({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      });
      const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
      expect(JSON.stringify(format)).not.toMatch(/header|authorization/i);
      const logGroup =
        built.template.toJSON().Resources[referencedId(stage.Properties.AccessLogSettings.DestinationArn)!];
      expect(logGroup.Properties.RetentionInDays).toBe(30);
    });
  });

  describe('IAM least privilege', () => {
    const idOf = (type: string, part: string) => resourceOf(built.template, type, part).id;
    const grantsOn = (statements: PolicyStatementJson[], resourceId: string) =>
      statements
        .filter((s) => JSON.stringify(s.Resource).includes(`"${resourceId}"`))
        .flatMap(actionsOf)
        .sort();

    it('uses no AWS managed policies and only the function log group for logs', () => {
      for (const role of Object.values(built.template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      for (const id of FUNCTION_IDS) {
        const logStatements = statementsOfFunction(built.template, id).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('logs:')),
        );
        expect(logStatements).toHaveLength(1);
        expect(referencedId(logStatements[0]!.Resource)).toMatch(/Logs/);
      }
    });

    it('uses the "*" resource only for dynamodb:ListStreams, which has no resource-level permissions', () => {
      const wildcard = FUNCTION_IDS.flatMap((id) => statementsOfFunction(built.template, id)).filter(
        (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
      );
      expect(wildcard.flatMap(actionsOf)).toEqual(['dynamodb:ListStreams']);
    });

    it('API: exactly the calls its routes make (webhooks, key lookup, log and dead-letter index, enqueue, the key secret read-only)', () => {
      const statements = statementsOfFunction(built.template, 'SubscriptionsApiFunction');
      expect(grantsOn(statements, idOf('AWS::DynamoDB::Table', 'WebhooksTable'))).toEqual(
        [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ].sort(),
      );
      expect(grantsOn(statements, idOf('AWS::DynamoDB::Table', 'ApiKeysTable'))).toEqual([
        'dynamodb:GetItem',
      ]);
      expect(grantsOn(statements, idOf('AWS::DynamoDB::Table', 'DeliveryLogTable'))).toEqual(
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query'].sort(),
      );
      expect(grantsOn(statements, idOf('AWS::SQS::Queue', 'DeliveriesQueue'))).toEqual(['sqs:SendMessage']);
      // Redrive reads the webhook's own index, never the shared DLQ.
      expect(grantsOn(statements, idOf('AWS::SQS::Queue', 'DeadLetterQueue'))).toEqual([]);
      const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(secrets).toHaveLength(1);
      expect(actionsOf(secrets[0]!)).toEqual(['secretsmanager:GetSecretValue']);
      expect(secrets[0]!.Resource).toEqual({ Ref: signingKeyId() });
    });

    it('event mapper: Query on webhooks, send to the queue and failure queue, read its CRM streams', () => {
      const statements = statementsOfFunction(built.template, 'EventMapperFunction');
      expect(grantsOn(statements, idOf('AWS::DynamoDB::Table', 'WebhooksTable'))).toEqual(['dynamodb:Query']);
      expect(grantsOn(statements, idOf('AWS::SQS::Queue', 'DeliveriesQueue'))).toEqual(['sqs:SendMessage']);
      expect(grantsOn(statements, idOf('AWS::SQS::Queue', 'MapperFailureQueue'))).toContain(
        'sqs:SendMessage',
      );
      for (const name of DEMO_TABLES) {
        const tableId = resourceOf(built.template, 'AWS::DynamoDB::Table', `Crm${name}`).id;
        expect(grantsOn(statements, tableId)).toEqual(
          ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].sort(),
        );
      }
      expect(statements.flatMap(actionsOf).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    });

    it('delivery: GetItem/UpdateItem on webhooks, batch-writes the log (UpdateItem for the limiter), consumes its queue, reads the key secret only', () => {
      const statements = statementsOfFunction(built.template, 'DeliveryFunction');
      expect(grantsOn(statements, idOf('AWS::DynamoDB::Table', 'WebhooksTable'))).toEqual([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
      ]);
      expect(grantsOn(statements, idOf('AWS::DynamoDB::Table', 'DeliveryLogTable'))).toEqual([
        'dynamodb:BatchWriteItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      const queueActions = grantsOn(statements, idOf('AWS::SQS::Queue', 'DeliveriesQueue'));
      expect(queueActions).toEqual(
        expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
      );
      expect(grantsOn(statements, idOf('AWS::SQS::Queue', 'DeadLetterQueue'))).toEqual(['sqs:SendMessage']);
      const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(secrets.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
      expect(secrets[0]!.Resource).toEqual({ Ref: signingKeyId() });
    });

    it('envelope mode: one key secret, 64 generated letters and digits, retained', () => {
      const secrets = Object.entries(built.template.findResources('AWS::SecretsManager::Secret'));
      expect(secrets).toHaveLength(1);
      const [, secret] = secrets[0]!;
      expect(secret.Properties.GenerateSecretString).toEqual({
        PasswordLength: 64,
        ExcludePunctuation: true,
        IncludeSpace: false,
      });
      expect(secret.DeletionPolicy).toBe('Retain');
    });
  });

  describe('monitoring', () => {
    const alarms = () => Object.values(built.template.findResources('AWS::CloudWatch::Alarm'));
    const alarmNamed = (fragment: string) => {
      const matches = alarms().filter((a) => String(a.Properties.AlarmName).includes(fragment));
      expect(matches, `alarm named *${fragment}*`).toHaveLength(1);
      return matches[0]!.Properties;
    };
    const metricOf = (alarm: CfnProperties) => alarm.Metrics[0].MetricStat.Metric;

    it.each([
      ['Failures-DeadLettered', 'DeadLettered', ALARM_THRESHOLDS.deadLetteredJobs],
      ['Failures-DeliverySqsCalls', 'SqsCallFailures', ALARM_THRESHOLDS.sqsCallFailures],
      ['Failures-MapperSqsCalls', 'SqsSendFailures', ALARM_THRESHOLDS.sqsCallFailures],
      [
        'DeliveriesQueue-Queue-Message-Age',
        'ApproximateAgeOfOldestMessage',
        ALARM_THRESHOLDS.deliveriesQueueOldestAgeSeconds,
      ],
      [
        'DeliveriesQueue-InFlight',
        'ApproximateNumberOfMessagesNotVisible',
        ALARM_THRESHOLDS.deliveriesQueueInFlightMessages,
      ],
      [
        'SlowLaneQueue-Queue-Message-Age',
        'ApproximateAgeOfOldestMessage',
        ALARM_THRESHOLDS.deliveriesQueueOldestAgeSeconds,
      ],
      [
        'SlowLaneQueue-InFlight',
        'ApproximateNumberOfMessagesNotVisible',
        ALARM_THRESHOLDS.deliveriesQueueInFlightMessages,
      ],
      [
        'DeliveriesQueue-DLQ-Queue-Message-Age',
        'ApproximateAgeOfOldestMessage',
        ALARM_THRESHOLDS.deadLetterQueueOldestAgeSeconds,
      ],
      ['MapperFailureQueue-Queue-Message-Count', 'ApproximateNumberOfMessagesVisible', 0],
      ['EventMapper-Iterator-Age', 'IteratorAge', ALARM_THRESHOLDS.mapperIteratorAgeMillis],
      ['EventMapper-Fault-Count', 'Errors', 0],
      ['EventMapper-Throttled-Count', 'Throttles', 0],
      ['Delivery-Fault-Count', 'Errors', 0],
      ['Delivery-Throttled-Count', 'Throttles', 0],
      ['ApiFunction-Fault-Count', 'Errors', 0],
      ['ApiFunction-Throttled-Count', 'Throttles', 0],
      ['Api-Fault-Count', '5xx', ALARM_THRESHOLDS.api5xx],
      ['Deliveries-AttemptLog', 'AttemptLogWriteFailures', ALARM_THRESHOLDS.attemptLogWriteFailures],
    ])('alarm %s on %s > %d notifies the alarm topic', (name, metricName, threshold) => {
      const alarm = alarmNamed(`CrmWebhooks-${name}`);
      expect(metricOf(alarm).MetricName).toBe(metricName);
      expect(alarm.Threshold).toBe(threshold);
      expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
      const topicId = resourceOf(built.template, 'AWS::SNS::Topic', 'AlarmTopic').id;
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.ActionsEnabled).toBe(true);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
      // An idle queue or stream publishes nothing; that must not leave the alarm in INSUFFICIENT_DATA.
      expect(alarm.TreatMissingData).toBe('notBreaching');
    });

    it('pins the queue alarms to their queues', () => {
      const queueName = (logicalId: string) => ({
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [resourceOf(built.template, 'AWS::SQS::Queue', logicalId).id, 'QueueName'] },
      });
      expect(metricOf(alarmNamed('DLQ-Queue-Message-Age')).Dimensions).toEqual([
        queueName('DeadLetterQueue'),
      ]);
      expect(metricOf(alarmNamed('DeliveriesQueue-Queue-Message-Age')).Dimensions).toEqual([
        queueName('DeliveriesQueue'),
      ]);
      expect(metricOf(alarmNamed('DeliveriesQueue-InFlight')).Dimensions).toEqual([
        queueName('DeliveriesQueue'),
      ]);
      expect(metricOf(alarmNamed('SlowLaneQueue-Queue-Message-Age')).Dimensions).toEqual([
        queueName('SlowLaneQueue'),
      ]);
      expect(metricOf(alarmNamed('SlowLaneQueue-InFlight')).Dimensions).toEqual([queueName('SlowLaneQueue')]);
    });

    it('has no "DLQ not empty" alarm: one old dead letter would silence every later one', () => {
      const onDlqSize = alarms().filter(
        (a) =>
          String(a.Properties.AlarmName).includes('DLQ') &&
          metricOf(a.Properties).MetricName === 'ApproximateNumberOfMessagesVisible',
      );
      expect(onDlqSize).toEqual([]);
    });

    it('alarms when no stream batch reaches the mapper for streamSilenceAlarmHours (missing data breaches)', () => {
      const alarm = alarmNamed('EventMapper-Stream-Silent');
      expect(metricOf(alarm)).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge' });
      expect(alarm.Metrics[0].MetricStat.Period).toBe(3600);
      expect(alarm.EvaluationPeriods).toBe(24);
      expect(alarm.DatapointsToAlarm).toBe(24);
      expect(alarm.TreatMissingData).toBe('breaching');
      const quiet = buildTestStack({ context: { streamSilenceAlarmHours: '0' } }).template;
      const names = Object.values(quiet.findResources('AWS::CloudWatch::Alarm')).map((a) =>
        String(a.Properties.AlarmName),
      );
      expect(names.some((n) => n.includes('Stream-Silent'))).toBe(false);
      expect(names.length).toBeGreaterThan(10);
    });

    it('has no email subscription unless alarmEmail is set', () => {
      built.template.resourceCountIs('AWS::SNS::Subscription', 0);
      built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('draws deliveries by outcome, failures by cause, DLQ, iterator age, function and API health', () => {
      const dashboard = resourceOf(built.template, 'AWS::CloudWatch::Dashboard', 'Dashboard');
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const text of [
        'Deliveries by outcome',
        'Delivery failures by cause',
        'Jobs not attempted',
        'Events out by action',
        'Records skipped by reason',
        'DeliveryAttempts',
        'Delivered',
        'DeadLettered',
        'WebhooksDisabled',
        'DeliveryErrors',
        'DeliveryLatency',
        'RecordsIn',
        'JobsEnqueued',
        'SqsSendFailures',
        "SEARCH('{CrmWebhooks,cause,service} service=",
        "SEARCH('{CrmWebhooks,action,service} service=",
        "SEARCH('{CrmWebhooks,reason,service} service=",
        'ApproximateAgeOfOldestMessage',
        'IteratorAge',
        'Throttles',
        '4xx',
        '5xx',
      ]) {
        expect(body, text).toContain(text);
      }
      // Dashboard names are account-wide: the region keeps two regional deployments apart.
      expect(dashboard.Properties.DashboardName).toEqual({
        'Fn::Join': ['', ['CrmWebhooks-', { Ref: 'AWS::Region' }]],
      });
    });
  });

  it('outputs the API URL, queue URLs, dashboard URL and table names', () => {
    const outputs = built.template.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'DeliveriesQueueUrl',
        'DeadLetterQueueUrl',
        'MapperFailureQueueUrl',
        'DashboardUrl',
        'AlarmTopicArn',
        'WebhooksTableName',
        'ApiKeysTableName',
        'DeliveryLogTableName',
        'CrmTableNames',
      ]),
    );
    expect(outputs.CrmTableNames.Value).toBe(DEMO_TABLES.join(','));
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards:name=');
  });
});

describe('CrmWebhooksStack with context parameters', () => {
  it('sets MAX_ATTEMPTS from maxAttempts and the redrive policy from crashLoopMaxReceives', () => {
    const { template } = buildTestStack({ context: { maxAttempts: '7', crashLoopMaxReceives: '3' } });
    expect(
      resourceOf(template, 'AWS::SQS::Queue', 'DeliveriesQueue').Properties.RedrivePolicy.maxReceiveCount,
    ).toBe(3);
    const env = resourceOf(template, 'AWS::Lambda::Function', 'DeliveryFunction').Properties.Environment
      .Variables;
    expect(env.MAX_ATTEMPTS).toBe('7');
  });

  it('derives the visibility timeout from deliveryTimeoutSeconds', () => {
    const { template } = buildTestStack({ context: { deliveryTimeoutSeconds: 120 } });
    expect(resourceOf(template, 'AWS::Lambda::Function', 'DeliveryFunction').Properties.Timeout).toBe(120);
    expect(resourceOf(template, 'AWS::SQS::Queue', 'DeliveriesQueue').Properties.VisibilityTimeout).toBe(720);
  });

  it.each([
    ['realtime', {}, undefined, undefined],
    ['balanced', {}, undefined, 1],
    ['economical', {}, 1, 1],
    // An explicit window wins over the preset's.
    ['economical', { deliveryBatchingWindowSeconds: '0', mapperBatchingWindowSeconds: '3' }, 3, undefined],
    ['realtime', { deliveryBatchingWindowSeconds: '2' }, undefined, 2],
  ])(
    'latencyPreset %s with %j: stream windows %s s, delivery window %s s',
    (preset, extra, mapper, delivery) => {
      const { template } = buildTestStack({ context: { latencyPreset: preset, ...extra } });
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
      const streams = mappings.filter((m) => m.Properties.StartingPosition !== undefined);
      const queues = mappings.filter((m) => m.Properties.StartingPosition === undefined);
      expect(streams.length).toBeGreaterThan(0);
      expect(queues.length).toBeGreaterThan(0);
      for (const m of streams) expect(m.Properties.MaximumBatchingWindowInSeconds).toBe(mapper);
      // Every delivery lane's event source gets the same window.
      for (const m of queues) expect(m.Properties.MaximumBatchingWindowInSeconds).toBe(delivery);
    },
  );

  it('applies reserved concurrency, delivery scaling, retry delays, secret prefix and log settings', () => {
    const { template } = buildTestStack({
      context: {
        apiReservedConcurrency: '5',
        mapperReservedConcurrency: '3',
        deliveryReservedConcurrency: '25',
        deliveryMaxConcurrency: '20',
        slowLaneMaxConcurrency: '5',
        deliveryBatchSize: '5',
        deliveryBatchingWindowSeconds: '0',
        mapperBatchingWindowSeconds: '0',
        retryDelaysSeconds: '1,2,3',
        secretStore: 'per-webhook',
        secretNamePrefix: 'acme/webhooks',
        logRetentionDays: '90',
        logLevel: 'DEBUG',
      },
    });
    const fn = (id: string) => resourceOf(template, 'AWS::Lambda::Function', id).Properties;
    expect(fn('SubscriptionsApiFunction').ReservedConcurrentExecutions).toBe(5);
    expect(fn('EventMapperFunction').ReservedConcurrentExecutions).toBe(3);
    expect(fn('DeliveryFunction').ReservedConcurrentExecutions).toBe(25);
    expect(fn('DeliveryFunction').Environment.Variables).toMatchObject({
      RETRY_DELAYS_SECONDS: '1,2,3',
      SECRET_STORE: 'per-webhook',
      SECRET_NAME_PREFIX: 'acme/webhooks',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (m) => m.Properties.ScalingConfig !== undefined,
    );
    const mapping = mappings.find((m) => m.Properties.ScalingConfig.MaximumConcurrency === 20)!;
    expect(mapping.Properties).toMatchObject({ BatchSize: 5, ScalingConfig: { MaximumConcurrency: 20 } });
    // The slow lane: its own event source and concurrency.
    expect(mappings.map((m) => m.Properties.ScalingConfig.MaximumConcurrency).sort()).toEqual([20, 5]);
    expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
    for (const stream of Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (m) => m.Properties.StartingPosition !== undefined,
    )) {
      expect(stream.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
    }
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(90);
    }
    const secretResources = ['SubscriptionsApiFunction', 'DeliveryFunction']
      .flatMap((id) => statementsOfFunction(template, id))
      .filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))
      .map((s) => s.Resource);
    expect(secretResources).toEqual([secretArnPattern('acme/webhooks'), secretArnPattern('acme/webhooks')]);
    // Least privilege per mode: the API only writes per-webhook secrets; the delivery function only reads them.
    const secretActionsOf = (id: string) =>
      statementsOfFunction(template, id)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))
        .flatMap(actionsOf)
        .sort();
    expect(secretActionsOf('SubscriptionsApiFunction')).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:PutSecretValue',
    ]);
    expect(secretActionsOf('DeliveryFunction')).toEqual(['secretsmanager:GetSecretValue']);
    expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
  });

  it('deletes tables and log groups with the stack when removalPolicy=destroy', () => {
    const { template } = buildTestStack({ context: { removalPolicy: 'destroy' } });
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string }
    >;
    const retained = Object.entries(resources).filter(
      ([, r]) =>
        ['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup'].includes(r.Type) && r.DeletionPolicy !== 'Delete',
    );
    expect(retained).toEqual([]);
  });

  it('subscribes alarmEmail to the alarm topic', () => {
    const { template } = buildTestStack({ context: { alarmEmail: 'oncall@example.com' } });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: resourceOf(template, 'AWS::SNS::Topic', 'AlarmTopic').id },
    });
  });

  it('names the stack, alarms and dashboard after stackName', () => {
    const { stack, template } = buildTestStack({ context: { stackName: 'AcmeWebhooks' } });
    expect(stack.stackName).toBe('AcmeWebhooks');
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName,
    );
    expect(names.every((n) => String(n).startsWith('AcmeWebhooks-'))).toBe(true);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['AcmeWebhooks-', { Ref: 'AWS::Region' }]] },
    });
  });
});

describe('CrmWebhooksStack with existing CRM tables', () => {
  const personStream = streamArnFor('prod-person');
  const crmStream = streamArnFor('prod-crm');
  let built: TestStack;
  beforeAll(() => {
    built = buildTestStack({
      crmSources: {
        crmTables: [
          { tableName: 'prod-person', object: 'person', streamArn: personStream },
          { tableName: 'prod-crm', objectAttribute: 'entityType', streamArn: crmStream },
          { tableName: 'demo-task', object: 'task' },
        ],
        workspaceIdAttribute: 'tenantId',
      },
    });
  });

  it('imports tables that have a streamArn and creates only the others', () => {
    const names = Object.values(built.template.findResources('AWS::DynamoDB::Table')).map(
      (t) => t.Properties.TableName,
    );
    expect(names.filter(Boolean)).toEqual(['demo-task']);
  });

  it('maps the imported streams by ARN and filters single-table items without the object attribute', () => {
    const byArn = (arn: string) =>
      Object.values(built.template.findResources('AWS::Lambda::EventSourceMapping')).filter(
        (m) => m.Properties.EventSourceArn === arn,
      );
    expect(byArn(personStream)).toHaveLength(1);
    expect(byArn(personStream)[0]!.Properties.FilterCriteria).toBeUndefined();
    const [crmMapping] = byArn(crmStream);
    const patterns = crmMapping!.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) =>
      JSON.parse(f.Pattern),
    );
    expect(patterns).toEqual([
      { dynamodb: { NewImage: { entityType: { S: [{ exists: true }] } } } },
      { dynamodb: { OldImage: { entityType: { S: [{ exists: true }] } } } },
    ]);
    expect(crmMapping!.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('grants stream reads on exactly the imported stream ARNs', () => {
    const streamStatements = statementsOfFunction(built.template, 'EventMapperFunction').filter((s) =>
      actionsOf(s).includes('dynamodb:GetRecords'),
    );
    const resources = streamStatements.flatMap((s) => s.Resource);
    expect(resources).toEqual(expect.arrayContaining([personStream, crmStream]));
    expect(resources).toHaveLength(3);
  });

  it('passes the validated config, defaults filled in, to the event mapper', () => {
    const env = resourceOf(built.template, 'AWS::Lambda::Function', 'EventMapperFunction').Properties
      .Environment.Variables;
    const passed = JSON.parse(env.CRM_SOURCES_CONFIG);
    expect(passed).toMatchObject({
      workspaceIdAttribute: 'tenantId',
      idAttribute: 'id',
      softDeleteAttribute: 'deletedAt',
    });
    // Not set in the file, so records without a tenant are skipped rather than given to one.
    expect(passed).not.toHaveProperty('defaultWorkspaceId');
  });
});

function secretArnPattern(prefix: string) {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':secretsmanager:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:secret:${prefix}/*`,
      ],
    ],
  };
}
