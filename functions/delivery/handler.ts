/** Lambda entry point of the delivery function. */

import { buildDeliveryHandler } from './buildDeliveryHandler';
import { loadDeliveryConfig } from './config';
import { createDeliveryDependencies } from './createDeliveryDependencies';

const config = loadDeliveryConfig(process.env);

/** Lambda entry point: the deliveries queue → signed POSTs to webhook receivers, with retries. */
export const handler = buildDeliveryHandler(config, createDeliveryDependencies(config));
