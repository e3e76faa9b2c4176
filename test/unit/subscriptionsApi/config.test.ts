import { describe, expect, it } from 'vitest';
import { loadSubscriptionsApiConfig } from '../../../functions/subscriptions-api/config';

const required = {
  WEBHOOKS_TABLE: 'webhooks',
  API_KEYS_TABLE: 'api-keys',
  DELIVERY_LOG_TABLE: 'delivery-log',
  DELIVERIES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/deliveries',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/deliveries-dlq',
};

describe('loadSubscriptionsApiConfig', () => {
  it('applies defaults', () => {
    expect(loadSubscriptionsApiConfig(required)).toEqual({
      webhooksTable: 'webhooks',
      apiKeysTable: 'api-keys',
      deliveryLogTable: 'delivery-log',
      deliveriesQueueUrl: required.DELIVERIES_QUEUE_URL,
      deadLetterQueueUrl: required.DEAD_LETTER_QUEUE_URL,
      secretNamePrefix: 'crm-webhooks',
      localMode: false,
      maxBodyBytes: 65536,
    });
  });

  it('reads the optional settings', () => {
    const config = loadSubscriptionsApiConfig({
      ...required,
      LOCAL_MODE: 'true',
      MAX_BODY_BYTES: '2048',
      SECRET_NAME_PREFIX: 'acme/webhooks',
    });
    expect(config).toMatchObject({ localMode: true, maxBodyBytes: 2048, secretNamePrefix: 'acme/webhooks' });
  });

  it.each([
    [{ ...required, WEBHOOKS_TABLE: undefined }, 'WEBHOOKS_TABLE'],
    [{ ...required, DEAD_LETTER_QUEUE_URL: '' }, 'DEAD_LETTER_QUEUE_URL'],
    [{ ...required, LOCAL_MODE: 'yes' }, 'LOCAL_MODE'],
    [{ ...required, MAX_BODY_BYTES: 'lots' }, 'MAX_BODY_BYTES'],
    [{ ...required, SECRET_NAME_PREFIX: 'bad prefix!' }, 'SECRET_NAME_PREFIX'],
  ])('fails fast naming the variable (%#)', (env, variable) => {
    expect(() => loadSubscriptionsApiConfig(env)).toThrow(variable);
  });
});
