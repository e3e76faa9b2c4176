/** The delivery function's configuration, read from its environment once per container. */

import * as z from 'zod/mini';
import {
  booleanVariable as booleanFlag,
  ConfigurationError,
  integerVariable as integer,
  numberVariable,
  parseEnvironment,
  requiredVariable as required,
  secretNamePrefixVariable,
  secretStoreSettings,
  secretStoreVariable,
  signingKeySecretIdVariable,
} from '../../shared/config/environmentVariables';
import { type BreakerPolicy, DEFAULT_BREAKER_POLICY } from '../../shared/domain/health/endpointHealth';
import { DEFAULT_RETRY_POLICY, parseRetryDelays, type RetryPolicy } from '../../shared/domain/retry';
import type { SecretStoreMode } from '../../shared/domain/webhooks/signingSecretStore';

const envSchema = z.object({
  WEBHOOKS_TABLE: required('WEBHOOKS_TABLE'),
  DELIVERY_LOG_TABLE: required('DELIVERY_LOG_TABLE'),
  DELIVERIES_QUEUE_URL: required('DELIVERIES_QUEUE_URL'),
  DEAD_LETTER_QUEUE_URL: required('DEAD_LETTER_QUEUE_URL'),
  SLOW_LANE_QUEUE_URL: required('SLOW_LANE_QUEUE_URL'),
  /** The primary lane's attempt timeout; a slower endpoint's job moves to the slow lane. */
  PRIMARY_LANE_TIMEOUT_MS: z._default(integer(100, 900_000), 2_000),
  /** A primary-lane attempt still unanswered after this long marks its endpoint slow (and runs on). */
  PRIMARY_LANE_SLOW_AFTER_MS: z._default(integer(50, 900_000), 1_000),
  BREAKER_FAILURE_THRESHOLD: z._default(integer(1, 1000), DEFAULT_BREAKER_POLICY.failureThreshold),
  BREAKER_COOLDOWN_SECONDS: z._default(integer(1, 3600), DEFAULT_BREAKER_POLICY.baseCooldownMs / 1000),
  BREAKER_MAX_COOLDOWN_SECONDS: z._default(integer(1, 86_400), DEFAULT_BREAKER_POLICY.maxCooldownMs / 1000),
  SLOW_MARK_SECONDS: z._default(integer(1, 86_400), DEFAULT_BREAKER_POLICY.slowForMs / 1000),
  SECRET_NAME_PREFIX: secretNamePrefixVariable,
  SECRET_STORE: secretStoreVariable,
  SIGNING_KEY_SECRET_ID: signingKeySecretIdVariable,
  /** Memory the signing-secret cache may hold; beyond it the least recently used secrets are dropped. */
  SIGNING_SECRET_CACHE_MB: z._default(integer(1, 1024), 64),
  WEBHOOK_CACHE_TTL_SECONDS: z._default(integer(0, 3600), 5),
  MAX_ATTEMPTS: z._default(integer(1, 100), DEFAULT_RETRY_POLICY.maxAttempts),
  RETRY_DELAYS_SECONDS: z.optional(z.string()),
  /** Multiplies every retry delay: 1 on AWS; tests run the real schedule scaled down. */
  RETRY_DELAY_SCALE: z._default(numberVariable(0, 1, { aboveZero: true }), 1),
  REQUEST_TIMEOUT_MS: z._default(integer(100, 900_000), 10_000),
  AUTO_DISABLE_AFTER_HOURS: z._default(numberVariable(0, 24 * 365, { aboveZero: true }), 120),
  DELIVERY_LOG_TTL_DAYS: z._default(numberVariable(0, 3650, { aboveZero: true }), 30),
  DELIVERY_LOG_SUCCESS_SAMPLE_RATE: z._default(numberVariable(0, 1), 1),
  DELIVERY_CONCURRENCY: z._default(integer(1, 1000), 32),
  LOCAL_MODE: booleanFlag,
});

export interface DeliveryConfig {
  webhooksTable: string;
  deliveryLogTable: string;
  deliveriesQueueUrl: string;
  /** Jobs that failed their last attempt are sent here by the function (and indexed per webhook). */
  deadLetterQueueUrl: string;
  /** The slow lane: retries, and jobs of slow or failing endpoints (same handler, own concurrency). */
  slowLaneQueueUrl: string;
  /** Attempt timeout in the primary lane (at most `requestTimeoutMs`). */
  primaryLaneTimeoutMs: number;
  /**
   * A primary-lane attempt still unanswered after this long marks its endpoint slow at once, so the
   * endpoint's next jobs skip the primary lane while this one runs on to `primaryLaneTimeoutMs` (at most).
   */
  primaryLaneSlowAfterMs: number;
  breakerPolicy: BreakerPolicy;
  /** Where signing secrets live: sealed on the webhook rows (default) or one secret per webhook. */
  secretStore: SecretStoreMode;
  /** Envelope mode: name or ARN of the key secret. */
  signingKeySecretId?: string;
  /** Per-webhook mode: secrets are `<prefix>/<workspaceId>/<webhookId>`; used when a row names no secret. */
  secretNamePrefix: string;
  /** Bytes the signing-secret cache may hold. */
  signingSecretCacheBytes: number;
  /** How long a webhook row is reused before it is read again (disable, rotation, URL change). */
  webhookCacheTtlSeconds: number;
  retryPolicy: RetryPolicy;
  requestTimeoutMs: number;
  autoDisableAfterHours: number;
  deliveryLogTtlDays: number;
  /** Share of successful attempts written to the delivery log (failures always are). */
  deliveryLogSuccessSampleRate: number;
  /** Jobs of one SQS batch delivered at once. */
  deliveryConcurrency: number;
  /** Local runtime only: allows loopback targets. Never set on AWS. */
  localMode: boolean;
}

/** Reads the environment once at cold start; a bad value fails fast naming the variable. */
export function loadDeliveryConfig(env: NodeJS.ProcessEnv): DeliveryConfig {
  // Every problem at once: the schema's and the retry table's.
  const problems: string[] = [];
  let values: z.infer<typeof envSchema> | undefined;
  try {
    values = parseEnvironment(envSchema, env, 'delivery');
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.push(...error.problems);
  }
  let delaysSeconds = [...DEFAULT_RETRY_POLICY.delaysSeconds];
  if (env.RETRY_DELAYS_SECONDS !== undefined && env.RETRY_DELAYS_SECONDS !== '') {
    try {
      delaysSeconds = parseRetryDelays(env.RETRY_DELAYS_SECONDS);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (values === undefined || problems.length > 0) throw new ConfigurationError('delivery', problems);
  return {
    webhooksTable: values.WEBHOOKS_TABLE,
    deliveryLogTable: values.DELIVERY_LOG_TABLE,
    deliveriesQueueUrl: values.DELIVERIES_QUEUE_URL,
    deadLetterQueueUrl: values.DEAD_LETTER_QUEUE_URL,
    slowLaneQueueUrl: values.SLOW_LANE_QUEUE_URL,
    primaryLaneTimeoutMs: Math.min(values.PRIMARY_LANE_TIMEOUT_MS, values.REQUEST_TIMEOUT_MS),
    primaryLaneSlowAfterMs: Math.min(
      values.PRIMARY_LANE_SLOW_AFTER_MS,
      values.PRIMARY_LANE_TIMEOUT_MS,
      values.REQUEST_TIMEOUT_MS,
    ),
    breakerPolicy: {
      failureThreshold: values.BREAKER_FAILURE_THRESHOLD,
      baseCooldownMs: values.BREAKER_COOLDOWN_SECONDS * 1000,
      maxCooldownMs: Math.max(values.BREAKER_MAX_COOLDOWN_SECONDS, values.BREAKER_COOLDOWN_SECONDS) * 1000,
      // Longer than any attempt, so a probe that is still running keeps its lease.
      probeLeaseMs: values.REQUEST_TIMEOUT_MS + 5_000,
      slowForMs: values.SLOW_MARK_SECONDS * 1000,
    },
    secretNamePrefix: values.SECRET_NAME_PREFIX,
    ...secretStoreSettings(values, 'delivery'),
    signingSecretCacheBytes: values.SIGNING_SECRET_CACHE_MB * 1024 * 1024,
    webhookCacheTtlSeconds: values.WEBHOOK_CACHE_TTL_SECONDS,
    retryPolicy: {
      maxAttempts: values.MAX_ATTEMPTS,
      delaysSeconds,
      ...(values.RETRY_DELAY_SCALE === 1 ? {} : { scale: values.RETRY_DELAY_SCALE }),
    },
    requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
    autoDisableAfterHours: values.AUTO_DISABLE_AFTER_HOURS,
    deliveryLogTtlDays: values.DELIVERY_LOG_TTL_DAYS,
    deliveryLogSuccessSampleRate: values.DELIVERY_LOG_SUCCESS_SAMPLE_RATE,
    deliveryConcurrency: values.DELIVERY_CONCURRENCY,
    localMode: values.LOCAL_MODE,
  };
}
