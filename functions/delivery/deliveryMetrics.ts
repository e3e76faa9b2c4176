import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const DELIVERY_METRIC_NAMES = [
  'DeliveryAttempts',
  'Delivered',
  'DeliveryFailed',
  'WebhooksDisabled',
  'DeadLettered',
  'JobsSkipped',
  'MalformedJobs',
  /** Jobs the function could not process (webhook table or Secrets Manager unavailable). */
  'DeliveryErrors',
  /** Jobs left for SQS to redeliver because the invocation was running out of time. */
  'JobsDeferred',
  /** Attempt log entries that could not be written (the deliveries themselves went through). */
  'AttemptLogWriteFailures',
] as const;
export type DeliveryMetricName = (typeof DELIVERY_METRIC_NAMES)[number];

/** What the delivery function counts; the Powertools (EMF) implementation is below. */
export interface DeliveryMetrics {
  count(name: DeliveryMetricName, dimensions?: { cause: string }): void;
  latency(milliseconds: number): void;
}

/**
 * Counters go into the invocation's EMF blob, flushed by the `logMetrics` middleware. A count with a
 * `cause` dimension is also published as its own EMF line (a different dimension set), so
 * dashboards can split `DeliveryFailed` by cause while alarms use the undimensioned total.
 */
export function powertoolsDeliveryMetrics(metrics: Metrics): DeliveryMetrics {
  return {
    count(name, dimensions) {
      metrics.addMetric(name, MetricUnit.Count, 1);
      if (dimensions) {
        const single = metrics.singleMetric();
        single.addDimension('cause', dimensions.cause);
        single.addMetric(name, MetricUnit.Count, 1);
      }
    },
    latency(milliseconds) {
      metrics.addMetric('DeliveryLatency', MetricUnit.Milliseconds, milliseconds);
    },
  };
}
