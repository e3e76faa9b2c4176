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
  /** Hands what was counted to the invocation's EMF store; called once at the end of each invocation. */
  flush(): void;
}

/**
 * Counters go into the invocation's EMF blob, flushed by the `logMetrics` middleware. A count with a
 * `cause` dimension is also published as its own EMF line (a different dimension set), so
 * dashboards can split `DeliveryFailed` by cause while alarms use the undimensioned total.
 *
 * Counts are tallied in memory and added once per name and invocation (`Delivered: 10`, not ten 1s):
 * Powertools reads an environment variable and copies the metric's value list on every `addMetric`,
 * which cost ~4 µs per delivery. Latencies keep one value per delivery, so CloudWatch still has the
 * distribution for percentiles.
 */
export function powertoolsDeliveryMetrics(metrics: Metrics): DeliveryMetrics {
  const totals = new Map<DeliveryMetricName, number>();
  const byCause = new Map<DeliveryMetricName, Map<string, number>>();
  let latencies: number[] = [];
  return {
    count(name, dimensions) {
      totals.set(name, (totals.get(name) ?? 0) + 1);
      if (dimensions) {
        const causes = byCause.get(name) ?? new Map<string, number>();
        causes.set(dimensions.cause, (causes.get(dimensions.cause) ?? 0) + 1);
        byCause.set(name, causes);
      }
    },
    latency(milliseconds) {
      latencies.push(milliseconds);
    },
    flush() {
      for (const [name, count] of totals) metrics.addMetric(name, MetricUnit.Count, count);
      totals.clear();
      const values = latencies;
      latencies = [];
      for (const value of values) metrics.addMetric('DeliveryLatency', MetricUnit.Milliseconds, value);
      for (const [name, causes] of byCause) {
        for (const [cause, count] of causes) {
          const single = metrics.singleMetric();
          single.addDimension('cause', cause);
          single.addMetric(name, MetricUnit.Count, count);
        }
      }
      byCause.clear();
    },
  };
}
