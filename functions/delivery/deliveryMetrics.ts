/** The delivery function's metrics: the counters it publishes and their Powertools implementation. */

import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DELIVERY_METRICS, type DeliveryMetricName } from '../../shared/observability/metricCatalog';

/** The delivery counters (`DeliveryLatency` is recorded with `latency`). */
export type DeliveryCountName = Exclude<DeliveryMetricName, 'DeliveryLatency'>;

/** The one extra dimension a count may carry: `cause` (failures) or `operation` (SQS calls). */
export type MetricDimension = { cause: string } | { operation: string };

/** What the delivery function counts; the Powertools (EMF) implementation is below. */
export interface DeliveryMetrics {
  count(name: DeliveryCountName, dimension?: MetricDimension): void;
  latency(milliseconds: number): void;
  /** Hands what was counted to the invocation's EMF store; called once at the end of each invocation. */
  flush(): void;
}

/**
 * Counters go into the invocation's EMF blob, flushed by the `logMetrics` middleware. A count with a
 * `cause` or `operation` dimension is also published as its own EMF line (a different dimension set),
 * so dashboards can split `DeliveryFailed` by cause while alarms use the undimensioned total.
 *
 * Counts are tallied in memory and added once per name and invocation (`Delivered: 10`, not ten 1s):
 * Powertools reads an environment variable and copies the metric's value list on every `addMetric`,
 * which cost ~4 µs per delivery. Latencies keep one value per delivery, so CloudWatch still has the
 * distribution for percentiles.
 */
export function powertoolsDeliveryMetrics(metrics: Metrics): DeliveryMetrics {
  const totals = new Map<DeliveryCountName, number>();
  /** name → "dimension\u0000value" → count. */
  const byDimension = new Map<DeliveryCountName, Map<string, number>>();
  let latencies: number[] = [];
  return {
    count(name, dimension) {
      totals.set(name, (totals.get(name) ?? 0) + 1);
      if (dimension) {
        const [[dimensionName, value]] = Object.entries(dimension) as [[string, string]];
        const key = `${dimensionName}\u0000${value}`;
        const values = byDimension.get(name) ?? new Map<string, number>();
        values.set(key, (values.get(key) ?? 0) + 1);
        byDimension.set(name, values);
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
      for (const [name, counts] of byDimension) {
        for (const [key, count] of counts) {
          const [dimensionName, value] = key.split('\u0000') as [string, string];
          const single = metrics.singleMetric();
          single.addDimension(dimensionName, value);
          single.addMetric(name, DELIVERY_METRICS[name].unit, count);
        }
      }
      byDimension.clear();
    },
  };
}
