/** Flushes an invocation's EMF metrics when it ends, only when there is something to flush. */

import type { Metrics } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';

/**
 * Flushes the invocation's EMF metrics when it ends (as Powertools' `logMetrics` does), but only when
 * there is something to flush. `logMetrics` warns "No application metrics to publish" on every empty
 * flush, even with metrics disabled; that happens whenever invocations overlap on one Metrics instance
 * (the local runtime runs several batches at once in one process, and one flush takes the others'
 * counts), so it would print a warning per batch while every count is still published exactly once.
 */
export function publishMetrics(
  metrics: Metrics,
  options: { captureColdStartMetric?: boolean } = {},
): middy.MiddlewareObj {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: async () => {
      if (options.captureColdStartMetric) metrics.captureColdStartMetric();
    },
    after: flush,
    onError: flush,
  };
}
