import { describe, expect, it } from 'vitest';
import { ActiveWebhooksCache } from '../../../../functions/event-mapper/activeWebhooksCache';
import type { Webhook } from '../../../../shared/domain/webhooks/webhook';
import { webhookItem } from '../../../helpers/dynamoStreamEvents';

/** A loader that counts reads and lets the test decide when each read answers. */
function controlledLoader() {
  const reads: { workspaceId: string; resolve: (w: Webhook[]) => void; reject: (e: Error) => void }[] = [];
  const load = (workspaceId: string) =>
    new Promise<Webhook[]>((resolve, reject) => {
      reads.push({ workspaceId, resolve, reject });
    });
  return { load, reads };
}

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('ActiveWebhooksCache', () => {
  it('shares one in-flight read between concurrent lookups of a workspace', async () => {
    const { load, reads } = controlledLoader();
    const cache = new ActiveWebhooksCache(load, { ttlMs: 30_000 });
    const first = cache.get('ws-a');
    const second = cache.get('ws-a');
    const other = cache.get('ws-b');
    expect(reads.map((r) => r.workspaceId)).toEqual(['ws-a', 'ws-b']);

    const hooks = [webhookItem({ workspaceId: 'ws-a' })];
    reads[0]?.resolve(hooks);
    reads[1]?.resolve([]);
    expect(await first).toBe(hooks);
    expect(await second).toBe(hooks);
    expect(await other).toEqual([]);
  });

  it('reuses an answer until the time to live, counted from when the answer arrived, has passed', async () => {
    const { load, reads } = controlledLoader();
    const time = clock();
    const cache = new ActiveWebhooksCache(load, { ttlMs: 30_000, now: time.now });
    const pending = cache.get('ws-a');
    time.state.now += 5_000; // a slow read must not eat into the time to live
    reads[0]?.resolve([]);
    await pending;

    time.state.now += 30_000; // lru-cache: reused while its age is at most the time to live
    await cache.get('ws-a');
    expect(reads).toHaveLength(1);

    time.state.now += 1;
    const refreshed = cache.get('ws-a');
    expect(reads).toHaveLength(2);
    reads[1]?.resolve([webhookItem({ workspaceId: 'ws-a' })]);
    expect(await refreshed).toHaveLength(1);
  });

  it('does not cache a failed read: the next lookup reads again', async () => {
    const { load, reads } = controlledLoader();
    const cache = new ActiveWebhooksCache(load, { ttlMs: 30_000 });
    const failing = cache.get('ws-a');
    reads[0]?.reject(new Error('throttled'));
    await expect(failing).rejects.toThrow('throttled');

    const retry = cache.get('ws-a');
    expect(reads).toHaveLength(2);
    reads[1]?.resolve([]);
    await expect(retry).resolves.toEqual([]);
  });

  it('with a time to live of 0 reads on every lookup that is not concurrent', async () => {
    let count = 0;
    const cache = new ActiveWebhooksCache(
      async () => {
        count += 1;
        return [];
      },
      { ttlMs: 0 },
    );
    await cache.get('ws-a');
    await cache.get('ws-a');
    expect(count).toBe(2);
  });

  it('keeps at most maxEntries workspaces, dropping the least recently used', async () => {
    const loaded: string[] = [];
    const cache = new ActiveWebhooksCache(
      async (workspaceId) => {
        loaded.push(workspaceId);
        return [];
      },
      { ttlMs: 60_000, maxEntries: 2 },
    );
    await cache.get('ws-a');
    await cache.get('ws-b');
    await cache.get('ws-a');
    await cache.get('ws-c');
    await cache.get('ws-a');
    await cache.get('ws-b');
    expect(loaded).toEqual(['ws-a', 'ws-b', 'ws-c', 'ws-b']);
  });

  it('hands out frozen lists of frozen webhooks, with the cache on or off', async () => {
    for (const ttlMs of [30_000, 0]) {
      const cache = new ActiveWebhooksCache(async (workspaceId) => [webhookItem({ workspaceId })], { ttlMs });
      const webhooks = await cache.get('ws-a');
      expect(Object.isFrozen(webhooks)).toBe(true);
      expect(Object.isFrozen(webhooks[0])).toBe(true);
    }
  });
});
