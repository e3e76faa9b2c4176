/** A memory-bounded cache of secret values, shared by the delivery function's signing-secret readers. */

import { LRUCache } from 'lru-cache';

/**
 * Default memory budget of one cache: 1/8 of the delivery function's 512 MB, room for ~150,000 webhooks'
 * secrets (≈ 430 bytes each in envelope mode, measured by `npm run bench -- --only secret-cache`).
 */
export const DEFAULT_SECRET_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Per-entry heap beyond the characters of key and value (lru-cache's slots and map entry, string
 * headers, the promise kept while loading): measured by the secret-cache benchmark as heap growth per
 * entry minus the strings' characters.
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
 * reached. Concurrent misses for one key share one load; a failed load is not cached.
 *
 * (lru-cache's own `fetch` does the same but builds an AbortController per miss, ~30 µs measured; a
 * delivery container sees every webhook miss once, so the loads in flight are tracked here instead.)
 */
export class SecretValueCache<Context = unknown> {
  private readonly cache: LRUCache<string, string>;
  private readonly loading = new Map<string, Promise<string>>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly load: (key: string, context: Context) => Promise<string>,
    options: { maxBytes?: number } = {},
  ) {
    this.cache = new LRUCache<string, string>({
      maxSize: options.maxBytes ?? DEFAULT_SECRET_CACHE_BYTES,
      // V8 keeps strings of Latin-1 characters (ids, base64, hex: everything here but exotic workspace
      // ids) at one byte per character.
      sizeCalculation: (value, key) => key.length + value.length + ENTRY_OVERHEAD_BYTES,
    });
  }

  get(key: string, context: Context): Promise<string> {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.hits++;
      return Promise.resolve(cached);
    }
    const inFlight = this.loading.get(key);
    if (inFlight !== undefined) {
      this.hits++;
      return inFlight;
    }
    this.misses++;
    const loaded = this.load(key, context).then(
      (value) => {
        this.cache.set(key, value);
        this.loading.delete(key);
        return value;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  stats(): SecretValueCacheStats {
    return {
      entries: this.cache.size,
      bytes: this.cache.calculatedSize,
      hits: this.hits,
      misses: this.misses,
    };
  }
}
