/** A memory-bounded cache of secret values, shared by the delivery function's signing-secret readers. */

import { LRUCache } from 'lru-cache';

/**
 * Default memory budget of one cache: 1/8 of the delivery function's 512 MB, room for ~150,000 webhooks'
 * secrets (≈ 430 bytes each in envelope mode, measured by `npm run bench -- --only secret-cache`).
 */
export const DEFAULT_SECRET_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Per-entry heap beyond the characters of key and value (lru-cache's slots and map entry, string
 * headers): measured by the secret-cache benchmark as heap growth per entry minus the strings'
 * characters.
 */
export const ENTRY_OVERHEAD_BYTES = 170;

export interface SecretValueCacheStats {
  entries: number;
  /** Estimated bytes held (what `maxBytes` bounds). */
  bytes: number;
  hits: number;
  misses: number;
}

/**
 * Values that never change for a given key (a Secrets Manager version, a sealed envelope), kept until
 * memory runs short rather than for a fixed time: least recently used first out once `maxBytes` is
 * reached. lru-cache's fetch (https://github.com/isaacs/node-lru-cache#fetch): concurrent misses for one
 * key share one load; a failed load is not cached. (Its miss builds an AbortController, once per
 * webhook per container: `npm run bench -- --only secret-cache` shows the same hit rates and heap as
 * the hand-tracked loads this replaced, 39.4 vs 39.3 MiB.)
 */
export class SecretValueCache<Context> {
  /** Untyped context: lru-cache types it by a conditional TypeScript cannot resolve for a generic. */
  private readonly cache: LRUCache<string, string, unknown>;
  private lookups = 0;
  private misses = 0;

  constructor(load: (key: string, context: Context) => Promise<string>, options: { maxBytes?: number } = {}) {
    this.cache = new LRUCache<string, string, unknown>({
      maxSize: options.maxBytes ?? DEFAULT_SECRET_CACHE_BYTES,
      // V8 keeps strings of Latin-1 characters (ids, base64, hex: everything here but exotic workspace
      // ids) at one byte per character.
      sizeCalculation: (value, key) => key.length + value.length + ENTRY_OVERHEAD_BYTES,
      fetchMethod: (key, _stale, { context }) => {
        this.misses++;
        return load(key, context as Context); // what `get` passed
      },
    });
  }

  get(key: string, context: Context): Promise<string> {
    this.lookups++;
    return this.cache.forceFetch(key, { context });
  }

  /** A lookup that joined a load in flight counts as a hit; a failed load as a miss. */
  stats(): SecretValueCacheStats {
    return {
      entries: this.cache.size,
      bytes: this.cache.calculatedSize,
      hits: this.lookups - this.misses,
      misses: this.misses,
    };
  }
}
