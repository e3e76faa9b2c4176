/** The pipeline's CloudWatch dashboard and alarms. */

import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  ComparisonOperator,
  type Dashboard,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, MonitoringFacade, notifySns } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../../shared/observability/metricCatalog';
import {
  DELIVERY_DEAD_LETTERED,
  DELIVERY_FAILED_BY_CAUSE,
  DELIVERY_LATENCY,
  DELIVERY_LOG_WRITE_FAILURES,
  DELIVERY_NON_ATTEMPTS,
  DELIVERY_OUTCOMES,
  DELIVERY_SQS_CALL_FAILURES,
  MAPPER_SKIPPED_NO_IMAGE,
  MAPPER_SPLIT_METRICS,
  MAPPER_SQS_SEND_FAILURES,
  MAPPER_TOTALS,
} from '../pipelineMetrics';
import { acknowledge } from './nagAcknowledgements';

/** Alarm thresholds; alarms fire when the metric is strictly greater than the threshold. */
export const ALARM_THRESHOLDS = {
  /**
   * Jobs dead-lettered in one 5-minute period. A rate, not "DLQ not empty": a DLQ alarm stays in ALARM
   * for as long as one old dead letter sits there (up to 14 days), so every later dead letter would be
   * silent. This one returns to OK after a quiet period and fires again on the next dead letter.
   */
  deadLetteredJobs: 0,
  /** Jobs expire from the DLQ after 14 days; page well before that. */
  deadLetterQueueOldestAgeSeconds: 3 * 24 * 3600,
  /**
   * Oldest message in a delivery lane's queue (primary or slow). Fresh jobs are received within seconds, and a retry waits in
   * delayed hops of at most 900 s (SQS's DelaySeconds maximum), each a new message with a new age:
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
   * A message older than 20 minutes therefore means the delivery function is not keeping up (or not
   * being invoked).
   */
  deliveriesQueueOldestAgeSeconds: 20 * 60,
  /**
   * In-flight messages (received, not yet deleted) in a delivery lane's queue. A standard queue holds at most
   * ~120,000; beyond that ReceiveMessage returns nothing, for every tenant:
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
   * Alarm at half of it, while there is time to act.
   */
  deliveriesQueueInFlightMessages: 60_000,
  /** Any SQS call that failed after the SDK's retries (send, re-send, dead-letter, delete). */
  sqsCallFailures: 0,
  /** Any message here is a stream batch the mapper gave up on (events not fanned out). */
  mapperFailureQueueMessages: 0,
  /** Webhooks are promised within seconds; five minutes behind the stream is an incident. */
  mapperIteratorAgeMillis: 5 * 60 * 1000,
  functionErrors: 0,
  functionThrottles: 0,
  api5xx: 0,
  /** Attempts the delivery log could not store after retries: the delivery history has gaps. */
  attemptLogWriteFailures: 0,
  /**
   * Any record without the stream image its event needs was skipped: events are being lost because a
   * table's stream view type is not NEW_AND_OLD_IMAGES (the deploy-time check catches this for tables
   * as deployed; this catches a stream changed later).
   */
  mapperRecordsWithoutImage: 0,
} as const;

const METRIC_PERIOD = Duration.minutes(5);

/**
 * SQS stops publishing metrics for an idle queue and Lambda publishes no iterator age without
 * invocations; both mean "nothing wrong", so the alarms stay OK instead of INSUFFICIENT_DATA.
 */
const QUIET_IS_OK = { treatMissingDataOverride: TreatMissingData.NOT_BREACHING } as const;

/** Lambda publishes IteratorAge at most once a minute per function; one value an hour is plenty to watch. */
const STREAM_SILENCE_PERIOD = Duration.hours(1);

export interface PipelineMonitoringProps {
  /** Prefix of alarm names (regional) and of the dashboard name (account-wide, so the region is appended). */
  namePrefix: string;
  alarmEmail?: string;
  /**
   * Hours without any stream batch reaching the event mapper before the "stream silent" alarm fires
   * (its iterator age alarm with missing data treated as breaching); 0 turns it off.
   */
  streamSilenceAlarmHours: number;
  subscriptionsApi: IFunction;
  eventMapper: IFunction;
  delivery: IFunction;
  httpApi: IHttpApi;
  deliveriesQueue: IQueue;
  slowLaneQueue: IQueue;
  deadLetterQueue: IQueue;
  mapperFailureQueue: IQueue;
  webhooksTable: ITable;
  deliveryLogTable: ITable;
}

/**
 * The failure-focused dashboard and the alarms, built with cdk-monitoring-constructs. Every alarm
 * notifies one SNS topic; an email subscription is added when `alarmEmail` is set.
 */
export class PipelineMonitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `${props.namePrefix} alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }
    acknowledge(
      this.alarmTopic,
      'AwsSolutions-SNS2',
      'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and a customer managed key would add cost and key administration to protect messages that hold only alarm names, thresholds and states (no customer data). Publishing requires TLS (enforceSSL).',
    );

    const dashboards = new DefaultDashboardFactory(this, 'Dashboards', {
      // Dashboard names are unique per account, not per region: the same stack in two regions needs two.
      dashboardNamePrefix: `${props.namePrefix}-${Stack.of(this).region}`,
      createDashboard: true,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
    });
    this.dashboard = dashboards.dashboard!;

    this.facade = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.namePrefix,
        actionsEnabled: true,
        action: notifySns(this.alarmTopic, this.alarmTopic),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      metricFactoryDefaults: { period: METRIC_PERIOD },
      dashboardFactory: dashboards,
    });

    this.addDeliveryOutcomes();
    this.addFailureRates();
    this.addQueues(props);
    this.addFunctions(props);
    this.facade
      .monitorApiGatewayV2HttpApi({
        api: props.httpApi,
        humanReadableName: 'Management API',
        alarmFriendlyName: 'Api',
        add5xxCountAlarm: { Critical: { maxErrorCount: ALARM_THRESHOLDS.api5xx } },
      })
      .monitorDynamoTable({ table: props.webhooksTable, humanReadableName: 'Webhooks table' })
      .monitorDynamoTable({ table: props.deliveryLogTable, humanReadableName: 'Delivery log table' });
  }

  get dashboardUrl(): string {
    const region = Stack.of(this).region;
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  private addDeliveryOutcomes(): void {
    const metric = (service: string, metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: METRIC_PERIOD,
        label: statistic === 'Sum' ? metricName : `${metricName} ${statistic}`,
      });
    const delivery = (metricName: string, statistic?: string) =>
      metric(SERVICE_NAMES.delivery, metricName, statistic);
    const mapper = (metricName: string) => metric(SERVICE_NAMES.eventMapper, metricName);

    this.facade.addLargeHeader('CRM webhooks pipeline');
    this.facade.monitorCustom({
      humanReadableName: 'Deliveries',
      alarmFriendlyName: 'Deliveries',
      metricGroups: [
        { title: 'Deliveries by outcome', metrics: DELIVERY_OUTCOMES.map((m) => delivery(m)) },
        {
          title: 'Delivery failures by cause',
          metrics: [
            splitBy(
              SERVICE_NAMES.delivery,
              DELIVERY_FAILED_BY_CAUSE.metricName,
              DELIVERY_FAILED_BY_CAUSE.dimension,
            ),
          ],
        },
        { title: 'Jobs not attempted', metrics: DELIVERY_NON_ATTEMPTS.map((m) => delivery(m)) },
        {
          title: 'Attempt log write failures',
          metrics: [
            {
              metric: delivery(DELIVERY_LOG_WRITE_FAILURES),
              alarmFriendlyName: 'AttemptLog',
              addAlarm: {
                Critical: {
                  threshold: ALARM_THRESHOLDS.attemptLogWriteFailures,
                  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  alarmDescriptionOverride:
                    'Delivery attempts could not be written to the delivery log after retries (deliveries themselves are unaffected).',
                  ...QUIET_IS_OK,
                },
              },
            },
          ],
        },
        {
          title: 'Delivery latency (ms)',
          metrics: ['p50', 'p90', 'p99'].map((p) => delivery(DELIVERY_LATENCY, p)),
        },
      ],
    });
    this.facade.monitorCustom({
      humanReadableName: 'Event mapper',
      alarmFriendlyName: 'EventMapperCounts',
      metricGroups: [
        { title: 'Stream records and jobs', metrics: MAPPER_TOTALS.map(mapper) },
        ...MAPPER_SPLIT_METRICS.map(({ metricName, dimension, title }) => ({
          title,
          metrics: [splitBy(SERVICE_NAMES.eventMapper, metricName, dimension)],
        })),
        {
          title: 'Records skipped for a missing stream image',
          metrics: [
            {
              metric: new Metric({
                namespace: METRICS_NAMESPACE,
                metricName: MAPPER_SKIPPED_NO_IMAGE.metricName,
                dimensionsMap: {
                  service: SERVICE_NAMES.eventMapper,
                  [MAPPER_SKIPPED_NO_IMAGE.dimension]: MAPPER_SKIPPED_NO_IMAGE.value,
                },
                statistic: 'Sum',
                period: METRIC_PERIOD,
                label: 'RecordsSkipped (no-image)',
              }),
              alarmFriendlyName: 'MapperNoImage',
              addAlarm: {
                Critical: {
                  threshold: ALARM_THRESHOLDS.mapperRecordsWithoutImage,
                  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  alarmDescriptionOverride:
                    'The event mapper skipped stream records that lack the old or new image: a CRM table stream is not NEW_AND_OLD_IMAGES, so updates and deletes are being lost.',
                  ...QUIET_IS_OK,
                },
              },
            },
          ],
        },
      ],
    });
  }

  /** Dead letters and failed SQS calls, as rates: each alarm returns to OK and fires again on the next one. */
  private addFailureRates(): void {
    const sum = (service: string, metricName: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic: 'Sum',
        period: METRIC_PERIOD,
        label: metricName,
      });
    const alarmAbove = (threshold: number, description: string) => ({
      Critical: {
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescriptionOverride: description,
        ...QUIET_IS_OK,
      },
    });
    this.facade.monitorCustom({
      humanReadableName: 'Dead letters and SQS failures',
      alarmFriendlyName: 'Failures',
      metricGroups: [
        {
          title: 'Jobs dead-lettered',
          metrics: [
            {
              metric: sum(SERVICE_NAMES.delivery, DELIVERY_DEAD_LETTERED),
              alarmFriendlyName: 'DeadLettered',
              addAlarm: alarmAbove(
                ALARM_THRESHOLDS.deadLetteredJobs,
                'Jobs were dead-lettered after their last attempt: a receiver missed events. GET /webhooks/{id}/dead-letters lists them; POST /webhooks/{id}/redrive sends them again.',
              ),
            },
          ],
        },
        {
          title: 'Failed SQS calls',
          metrics: [
            {
              metric: sum(SERVICE_NAMES.delivery, DELIVERY_SQS_CALL_FAILURES),
              alarmFriendlyName: 'DeliverySqsCalls',
              addAlarm: alarmAbove(
                ALARM_THRESHOLDS.sqsCallFailures,
                'The delivery function could not send, re-send, dead-letter or delete SQS messages after retries (the jobs are redelivered by SQS).',
              ),
            },
            {
              metric: sum(SERVICE_NAMES.eventMapper, MAPPER_SQS_SEND_FAILURES),
              alarmFriendlyName: 'MapperSqsCalls',
              addAlarm: alarmAbove(
                ALARM_THRESHOLDS.sqsCallFailures,
                'The event mapper could not enqueue delivery jobs after retries (the stream batch is retried).',
              ),
            },
          ],
        },
      ],
    });
  }

  private addQueues(props: PipelineMonitoringProps): void {
    this.facade.monitorSqsQueueWithDlq({
      queue: props.deliveriesQueue,
      deadLetterQueue: props.deadLetterQueue,
      humanReadableName: 'Deliveries queue',
      alarmFriendlyName: 'DeliveriesQueue',
      addQueueMaxMessageAgeAlarm: this.oldestMessageAlarm(),
      // No "DLQ not empty" alarm: see ALARM_THRESHOLDS.deadLetteredJobs (a rate that keeps firing).
      addDeadLetterQueueMaxMessageAgeAlarm: {
        OldestMessage: {
          maxAgeInSeconds: ALARM_THRESHOLDS.deadLetterQueueOldestAgeSeconds,
          ...QUIET_IS_OK,
        },
      },
    });
    this.addInFlight(props.deliveriesQueue, 'DeliveriesQueue', 'Deliveries queue');
    this.facade.monitorSqsQueue({
      queue: props.slowLaneQueue,
      humanReadableName: 'Slow-lane queue (retries, slow and failing endpoints)',
      alarmFriendlyName: 'SlowLaneQueue',
      addQueueMaxMessageAgeAlarm: this.oldestMessageAlarm(),
    });
    this.addInFlight(props.slowLaneQueue, 'SlowLaneQueue', 'Slow-lane queue');
    this.facade.monitorSqsQueue({
      queue: props.mapperFailureQueue,
      humanReadableName: 'Event mapper failure queue',
      alarmFriendlyName: 'MapperFailureQueue',
      addQueueMaxSizeAlarm: {
        NotEmpty: { maxMessageCount: ALARM_THRESHOLDS.mapperFailureQueueMessages, ...QUIET_IS_OK },
      },
    });
  }

  private oldestMessageAlarm() {
    return {
      OldestMessage: {
        maxAgeInSeconds: ALARM_THRESHOLDS.deliveriesQueueOldestAgeSeconds,
        ...QUIET_IS_OK,
      },
    };
  }

  /** The in-flight quota is per queue, so each delivery lane has its own alarm. */
  private addInFlight(queue: IQueue, alarmFriendlyName: string, humanReadableName: string): void {
    this.facade.monitorCustom({
      humanReadableName: `${humanReadableName}: messages in flight`,
      alarmFriendlyName,
      metricGroups: [
        {
          title: 'In-flight messages (quota ~120,000 per standard queue)',
          metrics: [
            {
              metric: queue.metricApproximateNumberOfMessagesNotVisible({
                statistic: 'Maximum',
                period: METRIC_PERIOD,
                label: 'In flight',
              }),
              alarmFriendlyName: 'InFlight',
              addAlarm: {
                Critical: {
                  threshold: ALARM_THRESHOLDS.deliveriesQueueInFlightMessages,
                  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  alarmDescriptionOverride: `${humanReadableName}: half of the standard-queue in-flight quota is used; when it is full, receives return nothing for every tenant. See docs/scaling.md.`,
                  ...QUIET_IS_OK,
                },
              },
            },
          ],
        },
      ],
    });
  }

  /**
   * The event mapper's iterator age with missing data treated as breaching: Lambda publishes no
   * IteratorAge while no stream batch is invoked, so a disabled event source mapping, a deleted stream
   * or a mapper that can no longer be invoked looks exactly like silence. After `streamSilenceAlarmHours`
   * hours of it (or of an iterator age beyond the threshold) this alarm fires.
   * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
   */
  private addStreamSilence(props: PipelineMonitoringProps): void {
    if (props.streamSilenceAlarmHours === 0) return;
    this.facade.monitorCustom({
      humanReadableName: 'Stream batches reaching the event mapper',
      alarmFriendlyName: 'EventMapper',
      metricGroups: [
        {
          title: 'Event mapper iterator age, hourly maximum (ms)',
          metrics: [
            {
              metric: new Metric({
                namespace: 'AWS/Lambda',
                metricName: 'IteratorAge',
                dimensionsMap: { FunctionName: props.eventMapper.functionName },
                statistic: 'Maximum',
                period: STREAM_SILENCE_PERIOD,
                label: 'IteratorAge (hourly max)',
              }),
              alarmFriendlyName: 'Stream-Silent',
              addAlarm: {
                Critical: {
                  threshold: ALARM_THRESHOLDS.mapperIteratorAgeMillis,
                  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  period: STREAM_SILENCE_PERIOD,
                  evaluationPeriods: props.streamSilenceAlarmHours,
                  datapointsToAlarm: props.streamSilenceAlarmHours,
                  treatMissingDataOverride: TreatMissingData.BREACHING,
                  alarmDescriptionOverride: `No stream batch reached the event mapper for ${props.streamSilenceAlarmHours} h (or it stayed behind): check the CRM tables' streams and the event source mappings. Set streamSilenceAlarmHours to 0 to turn this off for a CRM that is quiet that long.`,
                },
              },
            },
          ],
        },
      ],
    });
  }

  private addFunctions(props: PipelineMonitoringProps): void {
    this.addStreamSilence(props);
    const errorAndThrottleAlarms = {
      addFaultCountAlarm: { Critical: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } },
      addThrottlesCountAlarm: { Critical: { maxErrorCount: ALARM_THRESHOLDS.functionThrottles } },
    };
    this.facade
      .monitorLambdaFunction({
        lambdaFunction: props.eventMapper,
        humanReadableName: 'Event mapper function',
        alarmFriendlyName: 'EventMapper',
        isIterator: true,
        addMaxIteratorAgeAlarm: {
          Critical: { maxAgeInMillis: ALARM_THRESHOLDS.mapperIteratorAgeMillis, ...QUIET_IS_OK },
        },
        ...errorAndThrottleAlarms,
      })
      .monitorLambdaFunction({
        lambdaFunction: props.delivery,
        humanReadableName: 'Delivery function',
        alarmFriendlyName: 'Delivery',
        isIterator: false,
        ...errorAndThrottleAlarms,
      })
      .monitorLambdaFunction({
        lambdaFunction: props.subscriptionsApi,
        humanReadableName: 'Management API function',
        alarmFriendlyName: 'ApiFunction',
        isIterator: false,
        ...errorAndThrottleAlarms,
      });
  }
}

/**
 * One line per value of `dimension` (each cause, action or reason the function has published), without
 * the dashboard hard-coding the list of values.
 */
function splitBy(service: string, metricName: string, dimension: string): MathExpression {
  const schema = `{${METRICS_NAMESPACE},${dimension},service}`;
  return new MathExpression({
    expression: `SEARCH('${schema} service="${service}" MetricName="${metricName}"', 'Sum', ${METRIC_PERIOD.toSeconds()})`,
    usingMetrics: {},
    label: ' ',
    period: METRIC_PERIOD,
  });
}
