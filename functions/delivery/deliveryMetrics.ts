import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DELIVERY_METRICS, type DeliveryMetricName } from '../../shared/observability/metricCatalog';

/** The delivery counters (`DeliveryLatency` is recorded with `latency`). */
export type DeliveryCountName = Exclude<DeliveryMetricName, 'DeliveryLatency'>;

/** What the delivery function counts; the Powertools (EMF) implementation is below. */
export interface DeliveryMetrics {
  count(name: DeliveryCountName, dimensions?: { cause: string }): void;
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
  const totals = new Map<DeliveryCountName, number>();
  const byCause = new Map<DeliveryCountName, Map<string, number>>();
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
      for (const [name, count] of totals) metrics.addMetric(name, DELIVERY_METRICS[name].unit, count);
      totals.clear();
      const values = latencies;
      latencies = [];
      for (const value of values)
        metrics.addMetric('DeliveryLatency', DELIVERY_METRICS.DeliveryLatency.unit, value);
      for (const [name, causes] of byCause) {
        for (const [cause, count] of causes) {
          const single = metrics.singleMetric();
          single.addDimension('cause', cause);
          single.addMetric(name, DELIVERY_METRICS[name].unit, count);
        }
      }
      byCause.clear();
    },
  };
}
