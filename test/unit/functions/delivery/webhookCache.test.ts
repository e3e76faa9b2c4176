import { describe, expect, it } from 'vitest';
import { WebhookCache } from '../../../../functions/delivery/webhookCache';
import type { Webhook } from '../../../../shared/domain/webhooks/webhook';

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
    // Any start but 0: lru-cache reads a start time of 0 as "no time to live".
    let clock = 1_000_000;
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
    clock += 5_000;
    expect((await cache.get('ws', 'w1'))?.targetUrl).toBe('https://a.example.com/');
    clock += 1;
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

  it('applies changes the function wrote itself as a new row, leaving the row a job holds as it was', async () => {
    const cache = new WebhookCache(async (_ws, id) => row(id), { ttlMs: 60_000 });
    const held = await cache.get('ws', 'w1');
    expect(Object.isFrozen(held)).toBe(true);
    cache.patch('ws', 'w1', { status: 'disabled', disabledReason: 'gone' });
    expect(held?.status).toBe('active');
    expect(await cache.get('ws', 'w1')).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
  });

  it('tells the row it holds without reading: the patched one while fresh, nothing once expired', async () => {
    let clock = 1_000_000;
    const cache = new WebhookCache(async (_ws, id) => row(id), { ttlMs: 5_000, now: () => clock });
    expect(cache.cached('ws', 'w1')).toBeUndefined();
    await cache.get('ws', 'w1');
    cache.patch('ws', 'w1', { consecutiveFailures: 1 });
    expect(cache.cached('ws', 'w1')?.consecutiveFailures).toBe(1);
    clock += 5_001;
    expect(cache.cached('ws', 'w1')).toBeUndefined();
  });

  it('keeps the time to live of a patched row', async () => {
    let clock = 1_000_000;
    let reads = 0;
    const cache = new WebhookCache(
      async (_ws, id) => {
        reads++;
        return row(id);
      },
      { ttlMs: 5_000, now: () => clock },
    );
    await cache.get('ws', 'w1');
    clock += 4_000;
    cache.patch('ws', 'w1', { slowUntil: 9_000 });
    expect((await cache.get('ws', 'w1'))?.slowUntil).toBe(9_000);
    expect(reads).toBe(1);
    clock += 1_001;
    expect((await cache.get('ws', 'w1'))?.slowUntil).toBeUndefined();
    expect(reads).toBe(2);
  });

  it('forgets a row whose read is in flight when patched: its callers get the read, the next lookup reads again', async () => {
    const reads: ((webhook: Webhook) => void)[] = [];
    const cache = new WebhookCache(() => new Promise<Webhook>((resolve) => reads.push(resolve)), {
      ttlMs: 60_000,
    });
    const pending = cache.get('ws', 'w1');
    cache.patch('ws', 'w1', { status: 'disabled' });
    reads[0]?.(row('w1'));
    expect((await pending)?.status).toBe('active');

    const next = cache.get('ws', 'w1');
    expect(reads).toHaveLength(2);
    reads[1]?.({ ...row('w1'), status: 'disabled' });
    expect((await next)?.status).toBe('disabled');
  });

  it('with a time to live of 0 reads the table on every lookup', async () => {
    let reads = 0;
    const cache = new WebhookCache(
      async (_ws, id) => {
        reads++;
        return row(id);
      },
      { ttlMs: 0 },
    );
    await cache.get('ws', 'w1');
    cache.patch('ws', 'w1', { status: 'disabled' });
    expect((await cache.get('ws', 'w1'))?.status).toBe('active');
    expect(reads).toBe(2);
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
