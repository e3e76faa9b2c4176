import { describe, expect, it } from 'vitest';
import { WebhookCache } from '../../../functions/delivery/webhookCache';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';

function row(id: string, targetUrl = 'https://example.com/hook'): Webhook {
  return {
    id,
    workspaceId: 'ws',
    targetUrl,
    operations: ['*.*'],
    payloadFormat: 'default',
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    secretName: `crm-webhooks/ws/${id}`,
    secretVersionId: 'v1',
    version: 1,
  };
}

describe('WebhookCache', () => {
  it('shares one read between concurrent lookups and reuses it until the TTL passes', async () => {
    let clock = 0;
    let reads = 0;
    let targetUrl = 'https://a.example.com/';
    const cache = new WebhookCache(
      async (_ws, id) => {
        reads++;
        return row(id, targetUrl);
      },
      { ttlMs: 5_000, now: () => clock },
    );

    await Promise.all([cache.get('ws', 'w1'), cache.get('ws', 'w1'), cache.get('ws', 'w1')]);
    expect(reads).toBe(1);
    targetUrl = 'https://b.example.com/';
    clock = 4_999;
    expect((await cache.get('ws', 'w1'))?.targetUrl).toBe('https://a.example.com/');
    clock = 5_001;
    expect((await cache.get('ws', 'w1'))?.targetUrl).toBe('https://b.example.com/');
    expect(reads).toBe(2);
  });

  it('caches a missing webhook but not a failed read', async () => {
    let reads = 0;
    let fail = true;
    const cache = new WebhookCache(
      async (_ws, id) => {
        reads++;
        if (id === 'broken' && fail) throw new Error('throttled');
        return undefined;
      },
      { ttlMs: 60_000 },
    );
    expect(await cache.get('ws', 'gone')).toBeUndefined();
    expect(await cache.get('ws', 'gone')).toBeUndefined();
    await expect(cache.get('ws', 'broken')).rejects.toThrow('throttled');
    fail = false;
    expect(await cache.get('ws', 'broken')).toBeUndefined();
    expect(reads).toBe(3);
  });

  it('applies changes the function wrote itself', async () => {
    const cache = new WebhookCache(async (_ws, id) => row(id), { ttlMs: 60_000 });
    await cache.get('ws', 'w1');
    await cache.patch('ws', 'w1', { status: 'disabled', disabledReason: 'gone' });
    expect(await cache.get('ws', 'w1')).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
  });

  it('evicts the oldest entries beyond maxEntries', async () => {
    let reads = 0;
    const cache = new WebhookCache(
      async (_ws, id) => {
        reads++;
        return row(id);
      },
      { ttlMs: 60_000, maxEntries: 2 },
    );
    await cache.get('ws', 'a');
    await cache.get('ws', 'b');
    await cache.get('ws', 'c');
    await cache.get('ws', 'c');
    await cache.get('ws', 'a');
    expect(reads).toBe(4);
  });
});
