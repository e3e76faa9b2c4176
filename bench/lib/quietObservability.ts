/** Powertools logger and metrics that print only errors, for benchmarks. */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Real Powertools instances (the handlers call them as in production) that print only errors, so a
 * benchmark's output is its figures. Metrics are disabled through POWERTOOLS_METRICS_DISABLED.
 */
export function quietObservability(
  serviceName: string,
  /** The classes to build them from: a bundle's own copies, when the benchmark runs bundled code. */
  powertools: { Logger: typeof Logger; Metrics: typeof Metrics } = { Logger, Metrics },
): { logger: Logger; metrics: Metrics } {
  return {
    logger: new powertools.Logger({ serviceName, logLevel: 'ERROR' }),
    metrics: new powertools.Metrics({ namespace: 'CrmWebhooksBench', serviceName }),
  };
}
