/** Lambda entry point of the event mapper. */

import { buildEventMapperHandler } from './buildEventMapperHandler';
import { loadEventMapperConfig } from './config';
import { createEventMapperDependencies } from './createEventMapperDependencies';

const config = loadEventMapperConfig(process.env);

/** Lambda entry point: DynamoDB Streams of the CRM tables → delivery jobs on the deliveries queue. */
export const handler = buildEventMapperHandler(config, createEventMapperDependencies(config));
