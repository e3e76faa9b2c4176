/** Authenticates API requests: the workspace of a bearer API key, briefly cached. */

import { LRUCache } from 'lru-cache';
import { hashApiKey } from '../../shared/domain/credentials/hashApiKey';
import { problems } from './problem';

export interface WorkspaceLookup {
  findWorkspace(key: string): Promise<string | undefined>;
}

/** Positive lookups only, and briefly: a revoked key stops working within this time. */
export const API_KEY_CACHE_TTL_MS = 30_000;
const MAX_CACHED_KEYS = 1000;
/** Our keys are ~47 characters; anything far longer is not a key and is not worth hashing. */
const MAX_KEY_LENGTH = 512;
const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * Resolves `Authorization: Bearer <key>` to the key's workspace. Known keys are cached in memory
 * (by hash) for at most API_KEY_CACHE_TTL_MS, saving a DynamoDB read on most requests: lru-cache
 * (https://github.com/isaacs/node-lru-cache#fetch) shares one lookup between concurrent requests with
 * one key, keeps neither unknown keys nor failed lookups, and drops the least recently used key first.
 * A `ttlMs` of 0 turns the cache off.
 */
export class ApiKeyAuthenticator {
  /** key hash → workspace id; the key itself is the fetch context, never stored. */
  private readonly cache: LRUCache<string, string, string> | undefined;

  constructor(
    private readonly keys: WorkspaceLookup,
    nowMs?: () => number,
    ttlMs = API_KEY_CACHE_TTL_MS,
  ) {
    this.cache =
      ttlMs <= 0
        ? undefined
        : new LRUCache<string, string, string>({
            max: MAX_CACHED_KEYS,
            ttl: ttlMs,
            // Exact expiry against the clock (lru-cache would reuse a reading for up to 1 ms).
            ttlResolution: 0,
            ...(nowMs === undefined ? {} : { perf: { now: nowMs } }),
            fetchMethod: (_hash, _stale, { context: key }) => keys.findWorkspace(key),
          });
  }

  async workspaceFor(authorization: string | undefined): Promise<string> {
    if (authorization === undefined || authorization.trim() === '') {
      throw problems.unauthorized('Send an API key: "Authorization: Bearer <key>".');
    }
    const key = BEARER.exec(authorization)?.[1];
    if (key === undefined || key.length > MAX_KEY_LENGTH) {
      throw problems.unauthorized('The Authorization header must be "Bearer <key>".');
    }
    const workspaceId =
      this.cache === undefined
        ? await this.keys.findWorkspace(key)
        : await this.cache.fetch(hashApiKey(key), { context: key });
    if (workspaceId === undefined) throw problems.unauthorized('The API key is unknown or revoked.');
    return workspaceId;
  }
}
