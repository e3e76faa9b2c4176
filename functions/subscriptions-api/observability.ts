/** The management API's Powertools Logger and Metrics, one per container. */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../shared/observability/metricCatalog';

/**
 * One Logger and one Metrics per function container (Powertools singletons). Only the composition
 * root (createSubscriptionsApiDependencies) imports them; everything else receives them.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAMES.subscriptionsApi;

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
