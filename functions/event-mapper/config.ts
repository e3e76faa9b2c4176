/** The event mapper's configuration, read from its environment once per container. */

import * as z from 'zod/mini';
import { type CrmSourcesConfig, parseCrmSourcesJson } from '../../shared/config/crmSourcesConfig';
import {
  integerVariable as integer,
  parseEnvironment,
  requiredVariable as required,
} from '../../shared/config/environmentVariables';

/** SQS's maximum message size, which is also the limit on the sum of the messages in one SendMessageBatch. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

const envSchema = z.object({
  WEBHOOKS_TABLE: required('WEBHOOKS_TABLE'),
  DELIVERIES_QUEUE_URL: required('DELIVERIES_QUEUE_URL'),
  CRM_SOURCES_CONFIG: required('CRM_SOURCES_CONFIG'),
  WEBHOOK_CACHE_TTL_SECONDS: z._default(integer(0, 3600), 30),
  SQS_MAX_MESSAGE_BYTES: z._default(integer(1024, SQS_MAX_MESSAGE_BYTES), SQS_MAX_MESSAGE_BYTES),
  SEND_CONCURRENCY: z._default(integer(1, 64), 8),
});

export interface EventMapperConfig {
  webhooksTable: string;
  deliveriesQueueUrl: string;
  crmSources: CrmSourcesConfig;
  /** How long a workspace's active webhooks are reused before the webhooks table is read again. */
  webhookCacheTtlSeconds: number;
  /** Largest job (body + message attributes) SQS accepts; also the cap on one SendMessageBatch request. */
  sqsMaxMessageBytes: number;
  /** SendMessageBatch requests in flight at once. */
  sendConcurrency: number;
}

/** Reads the environment once at cold start; a bad value fails fast naming the variable. */
export function loadEventMapperConfig(env: NodeJS.ProcessEnv): EventMapperConfig {
  const values = parseEnvironment(envSchema, env, 'event-mapper');
  return {
    webhooksTable: values.WEBHOOKS_TABLE,
    deliveriesQueueUrl: values.DELIVERIES_QUEUE_URL,
    crmSources: parseCrmSourcesJson(values.CRM_SOURCES_CONFIG, 'event-mapper'),
    webhookCacheTtlSeconds: values.WEBHOOK_CACHE_TTL_SECONDS,
    sqsMaxMessageBytes: values.SQS_MAX_MESSAGE_BYTES,
    sendConcurrency: values.SEND_CONCURRENCY,
  };
}
