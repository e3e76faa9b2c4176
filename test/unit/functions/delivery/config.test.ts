import { describe, expect, it } from 'vitest';
import { loadDeliveryConfig } from '../../../../functions/delivery/config';
import { DEFAULT_RETRY_POLICY } from '../../../../shared/domain/retry';

const required = {
  WEBHOOKS_TABLE: 'webhooks',
  DELIVERY_LOG_TABLE: 'delivery-log',
  DELIVERIES_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries',
  SIGNING_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-key-AbCdEf',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries-dlq',
  SLOW_LANE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries-slow',
};

describe('loadDeliveryConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadDeliveryConfig(required)).toEqual({
      webhooksTable: 'webhooks',
      deliveryLogTable: 'delivery-log',
      deliveriesQueueUrl: required.DELIVERIES_QUEUE_URL,
      deadLetterQueueUrl: required.DEAD_LETTER_QUEUE_URL,
      slowLaneQueueUrl: required.SLOW_LANE_QUEUE_URL,
      primaryLaneTimeoutMs: 2_000,
      primaryLaneSlowAfterMs: 1_000,
      breakerPolicy: {
        failureThreshold: 5,
        baseCooldownMs: 30_000,
        maxCooldownMs: 300_000,
        probeLeaseMs: 15_000,
        slowForMs: 300_000,
      },
      secretNamePrefix: 'crm-webhooks',
      secretStore: 'envelope',
      signingKeySecretId: required.SIGNING_KEY_SECRET_ID,
      signingSecretCacheBytes: 64 * 1024 * 1024,
      webhookCacheTtlSeconds: 5,
      retryPolicy: { maxAttempts: 10, delaysSeconds: [...DEFAULT_RETRY_POLICY.delaysSeconds] },
      requestTimeoutMs: 10_000,
      autoDisableAfterHours: 120,
      deliveryLogTtlDays: 30,
      deliveryLogSuccessSampleRate: 1,
      deliveryConcurrency: 32,
      localMode: false,
    });
  });

  it('reads every variable', () => {
    const config = loadDeliveryConfig({
      ...required,
      SECRET_STORE: 'per-webhook',
      SECRET_NAME_PREFIX: 'acme',
      SIGNING_SECRET_CACHE_MB: '8',
      WEBHOOK_CACHE_TTL_SECONDS: '0',
      MAX_ATTEMPTS: '3',
      RETRY_DELAYS_SECONDS: '1, 2,3',
      REQUEST_TIMEOUT_MS: '500',
      PRIMARY_LANE_TIMEOUT_MS: '400',
      PRIMARY_LANE_SLOW_AFTER_MS: '300',
      AUTO_DISABLE_AFTER_HOURS: '0.5',
      DELIVERY_LOG_TTL_DAYS: '7',
      DELIVERY_LOG_SUCCESS_SAMPLE_RATE: '0.25',
      DELIVERY_CONCURRENCY: '4',
      RETRY_DELAY_SCALE: '0.01',
      LOCAL_MODE: 'true',
    });
    expect(config).toMatchObject({
      secretStore: 'per-webhook',
      secretNamePrefix: 'acme',
      signingSecretCacheBytes: 8 * 1024 * 1024,
      webhookCacheTtlSeconds: 0,
      retryPolicy: { maxAttempts: 3, delaysSeconds: [1, 2, 3], scale: 0.01 },
      requestTimeoutMs: 500,
      primaryLaneTimeoutMs: 400,
      primaryLaneSlowAfterMs: 300,
      autoDisableAfterHours: 0.5,
      deliveryLogTtlDays: 7,
      deliveryLogSuccessSampleRate: 0.25,
      deliveryConcurrency: 4,
      localMode: true,
    });
  });

  it.each([
    [{ WEBHOOKS_TABLE: undefined }, /WEBHOOKS_TABLE/],
    [{ DELIVERIES_QUEUE_URL: '' }, /DELIVERIES_QUEUE_URL/],
    [{ MAX_ATTEMPTS: '0' }, /MAX_ATTEMPTS/],
    [{ REQUEST_TIMEOUT_MS: 'soon' }, /REQUEST_TIMEOUT_MS/],
    [{ DELIVERY_CONCURRENCY: '1.5' }, /DELIVERY_CONCURRENCY/],
    [{ LOCAL_MODE: 'yes' }, /LOCAL_MODE/],
    [{ SECRET_STORE: 'vault' }, /SECRET_STORE/],
    [{ DELIVERY_LOG_SUCCESS_SAMPLE_RATE: '2' }, /DELIVERY_LOG_SUCCESS_SAMPLE_RATE/],
    [
      { SIGNING_KEY_SECRET_ID: undefined },
      /SIGNING_KEY_SECRET_ID: is required when SECRET_STORE is envelope/,
    ],
    [{ SIGNING_SECRET_CACHE_MB: '0' }, /SIGNING_SECRET_CACHE_MB/],
    [{ RETRY_DELAYS_SECONDS: '5,abc' }, /RETRY_DELAYS_SECONDS entry 2/],
    [{ RETRY_DELAYS_SECONDS: '700000' }, /RETRY_DELAYS_SECONDS/],
    [{ DEAD_LETTER_QUEUE_URL: undefined }, /DEAD_LETTER_QUEUE_URL/],
    [{ RETRY_DELAY_SCALE: '0' }, /RETRY_DELAY_SCALE/],
    [{ RETRY_DELAY_SCALE: '2' }, /RETRY_DELAY_SCALE/],
  ])('fails fast naming the variable: %o', (change, message) => {
    expect(() => loadDeliveryConfig({ ...required, ...change })).toThrow(message);
  });
});
