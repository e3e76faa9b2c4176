import { describe, expect, it, vi } from 'vitest';
import { lambdaContext, sqsEvent } from '../../../helpers/sqsEvents';

describe('functions/delivery/handler', () => {
  it('builds the handler from the environment at import time, as Lambda and the local runtime load it', async () => {
    vi.stubEnv('WEBHOOKS_TABLE', 'webhooks');
    vi.stubEnv('DELIVERY_LOG_TABLE', 'delivery-log');
    vi.stubEnv('DELIVERIES_QUEUE_URL', 'http://127.0.0.1:1/000000000000/deliveries');
    vi.stubEnv('SIGNING_KEY_SECRET_ID', 'crm-webhooks/signing-key');
    vi.stubEnv('DEAD_LETTER_QUEUE_URL', 'http://127.0.0.1:1/000000000000/deliveries-dlq');
    vi.stubEnv('SLOW_LANE_QUEUE_URL', 'http://127.0.0.1:1/000000000000/deliveries-slow');
    try {
      const { handler } = await import('../../../../functions/delivery/handler');
      expect(await handler(sqsEvent([]), lambdaContext())).toEqual({ batchItemFailures: [] });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
