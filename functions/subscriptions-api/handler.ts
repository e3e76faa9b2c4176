import { buildSubscriptionsApiHandler } from './buildSubscriptionsApiHandler';
import { loadSubscriptionsApiConfig } from './config';
import { createDefaultDeps } from './defaultDeps';

const config = loadSubscriptionsApiConfig(process.env);

export const handler = buildSubscriptionsApiHandler(config, createDefaultDeps(config));
