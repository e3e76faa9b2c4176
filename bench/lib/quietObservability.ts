/** Powertools logger and metrics that print only errors, for benchmarks. */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Real Powertools instances (the handlers call them as in production) that print only errors, so a
 * benchmark's output is its figures. Metrics are disabled through POWERTOOLS_METRICS_DISABLED.
 */
export function quietObservability(serviceName: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName, logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'CrmWebhooksBench', serviceName }),
  };
}
