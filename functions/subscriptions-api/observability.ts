import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One Logger and one Metrics per function container (Powertools singletons). */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'subscriptions-api';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: 'CrmWebhooks', serviceName });
