/** Lambda entry point of the management API. */

import { buildSubscriptionsApiHandler } from './buildSubscriptionsApiHandler';
import { loadSubscriptionsApiConfig } from './config';
import { createSubscriptionsApiDependencies } from './createSubscriptionsApiDependencies';

const config = loadSubscriptionsApiConfig(process.env);

/** Lambda entry point: the management API behind API Gateway (HTTP API). */
export const handler = buildSubscriptionsApiHandler(config, createSubscriptionsApiDependencies(config));
