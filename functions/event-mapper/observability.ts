/** The event mapper's Powertools Logger and Metrics, one per container. */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../shared/observability/metricCatalog';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAMES.eventMapper;

/**
 * One Logger and one Metrics per container, as Powertools expects. Only the composition root
 * (createEventMapperDependencies) imports them; everything else receives them.
 */
export const logger = new Logger({ serviceName });

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
