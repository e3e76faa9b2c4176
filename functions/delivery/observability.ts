import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'delivery';

/** One Logger and one Metrics per container, as Powertools expects. */
export const logger = new Logger({ serviceName });

export const metrics = new Metrics({ namespace: 'CrmWebhooks', serviceName });
