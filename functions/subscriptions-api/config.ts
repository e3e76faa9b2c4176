/** The management API's configuration, read from its environment once per container. */

import * as z from 'zod/mini';
import '../../shared/config/zodEnglishErrors';
import { parseCrmSourcesJson } from '../../shared/config/crmSourcesConfig';
import {
  booleanVariable as booleanFlag,
  integerVariable,
  parseEnvironment,
  requiredVariable as requiredName,
  secretNamePrefixVariable,
  secretStoreSettings,
  secretStoreVariable,
  signingKeySecretIdVariable,
} from '../../shared/config/environmentVariables';
import { type ProducibleObjects, producibleObjects } from '../../shared/domain/operations/producibleObjects';
import {
  type SubscribableEvents,
  subscribableEvents,
} from '../../shared/domain/operations/subscribableEvents';
import type { SecretStoreMode } from '../../shared/domain/webhooks/signingSecretStore';

const configSchema = z.object({
  WEBHOOKS_TABLE: requiredName('WEBHOOKS_TABLE'),
  API_KEYS_TABLE: requiredName('API_KEYS_TABLE'),
  DELIVERY_LOG_TABLE: requiredName('DELIVERY_LOG_TABLE'),
  DELIVERIES_QUEUE_URL: requiredName('DELIVERIES_QUEUE_URL'),
  SECRET_NAME_PREFIX: secretNamePrefixVariable,
  SECRET_STORE: secretStoreVariable,
  SIGNING_KEY_SECRET_ID: signingKeySecretIdVariable,
  SIGNING_KEY_REFRESH_SECONDS: z._default(integerVariable(0, 3600), 60),
  LOCAL_MODE: booleanFlag,
  /** How long one redrive call works before answering `more: true` (below API Gateway's 30 s). */
  REDRIVE_TIME_BUDGET_MS: z._default(integerVariable(100, 25_000), 20_000),
  /** Webhooks one workspace may hold; each CRM change fans out to every matching one. */
  MAX_WEBHOOKS_PER_WORKSPACE: z._default(integerVariable(1, 10_000), 100),
  CRM_SOURCES_CONFIG: requiredName('CRM_SOURCES_CONFIG'),
  CONSOLE_ASSETS_DIR: z.optional(z.string()),
  MAX_BODY_BYTES: z._default(integerVariable(1024, 10 * 1024 * 1024), 64 * 1024),
});

export interface SubscriptionsApiConfig {
  webhooksTable: string;
  apiKeysTable: string;
  deliveryLogTable: string;
  deliveriesQueueUrl: string;
  /** How long one redrive call works before it answers `more: true`. */
  redriveTimeBudgetMs: number;
  /** Webhooks one workspace may hold (`POST /webhooks` answers 409 beyond it). */
  maxWebhooksPerWorkspace: number;
  /** Where signing secrets live: sealed on the webhook rows (default) or one secret per webhook. */
  secretStore: SecretStoreMode;
  /** Envelope mode: name or ARN of the key secret. */
  signingKeySecretId?: string;
  /** Envelope mode: how long a read of the key's current version is used for sealing before it is read again. */
  signingKeyRefreshMs: number;
  /** Per-webhook mode: secrets are named `<prefix>/<workspaceId>/<webhookId>`. */
  secretNamePrefix: string;
  /** Local runtime only: allows `http://` and loopback webhook targets. */
  localMode: boolean;
  /** Request bodies above this many bytes get 413. */
  maxBodyBytes: number;
  /** The objects and actions `GET /objects` lists (from CRM_SOURCES_CONFIG, the event mapper's config). */
  subscribableEvents: SubscribableEvents;
  /** The objects the CRM sources (CRM_SOURCES_CONFIG, as the event mapper reads it) can produce events for. */
  producibleObjects: ProducibleObjects;
  /** Directory of the built web console (`index.html`, `assets/`); without it `/console` answers 404. */
  consoleAssetsDir?: string;
}

/** Reads the environment once at cold start; a bad value fails fast naming the variable. */
export function loadSubscriptionsApiConfig(env: NodeJS.ProcessEnv): SubscriptionsApiConfig {
  const env_ = parseEnvironment(configSchema, env, 'subscriptions-api');
  const crmSources = parseCrmSourcesJson(env_.CRM_SOURCES_CONFIG, 'subscriptions-api');
  return {
    webhooksTable: env_.WEBHOOKS_TABLE,
    apiKeysTable: env_.API_KEYS_TABLE,
    deliveryLogTable: env_.DELIVERY_LOG_TABLE,
    deliveriesQueueUrl: env_.DELIVERIES_QUEUE_URL,
    redriveTimeBudgetMs: env_.REDRIVE_TIME_BUDGET_MS,
    maxWebhooksPerWorkspace: env_.MAX_WEBHOOKS_PER_WORKSPACE,
    secretNamePrefix: env_.SECRET_NAME_PREFIX,
    ...secretStoreSettings(env_, 'subscriptions-api'),
    signingKeyRefreshMs: env_.SIGNING_KEY_REFRESH_SECONDS * 1000,
    localMode: env_.LOCAL_MODE,
    maxBodyBytes: env_.MAX_BODY_BYTES,
    subscribableEvents: subscribableEvents(crmSources),
    producibleObjects: producibleObjects(crmSources),
    ...(env_.CONSOLE_ASSETS_DIR === undefined ? {} : { consoleAssetsDir: env_.CONSOLE_ASSETS_DIR }),
  };
}
