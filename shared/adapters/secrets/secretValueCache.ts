import { LRUCache } from 'lru-cache';

/** Default memory budget of one cache: a few percent of the delivery function's 512 MB. */
export const DEFAULT_SECRET_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Per-entry bookkeeping beyond the two strings (lru-cache's slots, the Map entry, string headers),
 * measured by `npm run bench -- --only secret-cache` (heap growth per entry minus the strings' bytes).
 */
export const ENTRY_OVERHEAD_BYTES = 120;

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
 */
export class SecretValueCache<Context = unknown> {
  /** Context typed `unknown` inside: lru-cache's conditional option types cannot resolve a generic one. */
  private readonly cache: LRUCache<string, string, unknown>;
  private hits = 0;
  private misses = 0;

  constructor(load: (key: string, context: Context) => Promise<string>, options: { maxBytes?: number } = {}) {
    this.cache = new LRUCache<string, string, unknown>({
      maxSize: options.maxBytes ?? DEFAULT_SECRET_CACHE_BYTES,
      // JavaScript strings take two bytes per UTF-16 unit at most (V8 stores ASCII in one; we bound the worst case).
      sizeCalculation: (value, key) => 2 * (key.length + value.length) + ENTRY_OVERHEAD_BYTES,
      fetchMethod: (key, _stale, { context }) => load(key, context as Context),
    });
  }

  async get(key: string, context: Context): Promise<string> {
    const status: LRUCache.Status<string, string> = {};
    const value = await this.cache.fetch(key, { context, status });
    // A miss is a call that started a load; joining one in flight counts as a hit (no extra read).
    if (status.fetch === 'miss') this.misses++;
    else this.hits++;
    // fetchMethod never resolves undefined; lru-cache types allow it for aborted fetches.
    if (value === undefined) throw new Error('secret cache load returned nothing');
    return value;
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
