/**
 * Benchmark: the signing-secret cache at 100k webhooks (envelope mode), hit rate and heap against a
 * 1,000-entry cache.
 */

import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LRUCache } from 'lru-cache';
import { EnvelopeSigningSecrets } from '../../shared/adapters/secrets/envelopeSigningSecrets';
import {
  DEFAULT_SECRET_CACHE_BYTES,
  ENTRY_OVERHEAD_BYTES,
} from '../../shared/adapters/secrets/secretValueCache';
import { deriveCredentialKey } from '../../shared/domain/credentials/credentialKey';
import { sealCredential } from '../../shared/domain/credentials/sealedCredential';
import { signingSecretContext } from '../../shared/domain/credentials/signingSecretContext';
import { generateWebhookSecret } from '../../shared/domain/signing';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { seededRandom } from '../../test/helpers/seededRandom';
import { pairedFigure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

/** The previous cache's bound (a Map of at most 1,000 versions, 1 h TTL), the baseline. */
const PREVIOUS_MAX_ENTRIES = 1_000;

/** Zipf-like traffic: webhook i gets weight 1/(i+1)^s; s = 0 is uniform. */
function zipfSampler(count: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += 1 / (i + 1) ** s;
    cumulative[i] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

function collectGarbage(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  return typeof gc === 'function' ? gc : undefined;
}

/**
 * Figure 7: the delivery function's signing-secret cache (envelope mode) at 100k webhooks: hit rate over
 * a delivery stream, and the memory the cache really takes, against the previous 1,000-entry bound.
 */
export const secretCache: Benchmark = {
  name: 'secret-cache',
  description:
    'signing-secret cache at 100k webhooks (envelope mode): hit rate and heap, vs a 1,000-entry cache',
  fastInSmoke: true,
  async run({ options, progress }) {
    const webhookCount = options.smoke ? 2_000 : 100_000;
    const deliveries = options.smoke ? 20_000 : 1_000_000;
    progress.stage(`secret-cache: sealing ${webhookCount} webhooks' secrets`);
    const key = deriveCredentialKey(randomBytes(48).toString('base64url'));
    const webhooks: Webhook[] = Array.from({ length: webhookCount }, (_, i) => {
      const id = `wh_${i.toString(36).padStart(22, '0')}`;
      return {
        id,
        workspaceId: `ws-${i % 1000}`,
        targetUrl: 'https://example.com/hook',
        operations: ['*.*'],
        payloadFormat: 'default',
        status: 'active',
        createdAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
        sealedSecret: sealCredential({
          plaintext: generateWebhookSecret(),
          key,
          keyVersion: 'a1b2c3d4-0000-4000-8000-000000000001',
          context: signingSecretContext(`ws-${i % 1000}`, id),
        }),
        version: 1,
      };
    });
    const keyring = { keyFor: async () => key };
    const gc = collectGarbage();
    const details: Record<string, unknown> = {
      webhooks: webhookCount,
      deliveries,
      cacheBytes: DEFAULT_SECRET_CACHE_BYTES,
    };
    const figures = [];

    for (const [label, skew] of [
      ['uniform', 0],
      ['zipf1', 1],
    ] as const) {
      progress.stage(
        `secret-cache: ${deliveries} deliveries, ${label} traffic over ${webhookCount} webhooks`,
      );
      const next = zipfSampler(webhookCount, skew, seededRandom(42));
      const previous = new LRUCache<string, string>({ max: PREVIOUS_MAX_ENTRIES });
      let previousHits = 0;
      gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const reader = new EnvelopeSigningSecrets(keyring);
      const now = new Date();
      const started = performance.now();
      let warm = { hits: 0, misses: 0 };
      for (let i = 0; i < deliveries; i++) {
        // The second half is the steady state: by then every webhook has had its first (cold) miss.
        if (i === deliveries / 2) warm = reader.stats();
        const webhook = webhooks[next()] as Webhook;
        await reader.signingSecretsOf(webhook, now);
        const previousKey = webhook.id;
        if (previous.has(previousKey)) previousHits++;
        else previous.set(previousKey, 'x');
      }
      const elapsedMs = performance.now() - started;
      gc?.();
      const heapAfter = process.memoryUsage().heapUsed;
      const stats = reader.stats();
      const hitRate = stats.hits / (stats.hits + stats.misses);
      const steadyHits = stats.hits - warm.hits;
      const steadyHitRate = steadyHits / (steadyHits + stats.misses - warm.misses);
      const previousHitRate = previousHits / deliveries;
      // Only the first phase measures heap: later ones would count the previous phase's garbage freed.
      const measuresHeap = gc !== undefined && label === 'uniform';
      const heapBytes = Math.max(0, heapAfter - heapBefore);
      details[label] = {
        ...stats,
        hitRate,
        steadyHitRate,
        previousHitRate,
        heapBytes: measuresHeap ? heapBytes : null,
        heapBytesPerEntry: measuresHeap ? heapBytes / Math.max(1, stats.entries) : null,
        estimatedBytesPerEntry: stats.bytes / Math.max(1, stats.entries),
        entryOverheadBytes: ENTRY_OVERHEAD_BYTES,
        // Includes sealing misses and the baseline's bookkeeping; on a shared machine mostly contention.
        microsecondsPerLookup: (elapsedMs * 1000) / deliveries,
      };
      figures.push(
        pairedFigure({
          id: `secretCache.${label}.hitRate`,
          benchmark: 'secret-cache',
          title: `Signing-secret cache hit rate (2nd half of ${deliveries.toLocaleString('en-US')} deliveries), ${webhookCount.toLocaleString('en-US')} webhooks, ${label}`,
          unit: '%',
          higherIsBetter: true,
          values: [steadyHitRate * 100],
          baseline: {
            title: `a cache bounded at ${PREVIOUS_MAX_ENTRIES} entries (the previous one)`,
            values: [previousHitRate * 100],
          },
          unpaired: true,
          notes: `whole run ${(hitRate * 100).toFixed(1)} % (first sight of each webhook is a miss); ${stats.entries} entries, ${(stats.bytes / 1048576).toFixed(1)} MiB accounted${measuresHeap ? `, ${(heapBytes / 1048576).toFixed(1)} MiB heap growth measured` : ''}.`,
        }),
      );
    }
    const uniform = details.uniform as { heapBytes: number | null; bytes: number; entries: number };
    if (uniform.heapBytes !== null) {
      figures.push(
        pairedFigure({
          id: 'secretCache.heapMiB',
          benchmark: 'secret-cache',
          title: `Heap held by the cache with all ${webhookCount.toLocaleString('en-US')} webhooks' secrets`,
          unit: 'MiB',
          higherIsBetter: false,
          values: [uniform.heapBytes / 1048576],
          baseline: {
            title: 'the size the cache accounts for (sizeCalculation)',
            values: [uniform.bytes / 1048576],
          },
          unpaired: true,
        }),
      );
    }
    return { figures, details };
  },
};
