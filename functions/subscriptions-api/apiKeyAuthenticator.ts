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
 * (by hash) for at most API_KEY_CACHE_TTL_MS, saving a DynamoDB read on most requests.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { workspaceId: string; expiresAt: number }>();

  constructor(
    private readonly keys: WorkspaceLookup,
    private readonly nowMs: () => number = Date.now,
    private readonly ttlMs = API_KEY_CACHE_TTL_MS,
  ) {}

  async workspaceFor(authorization: string | undefined): Promise<string> {
    if (authorization === undefined || authorization.trim() === '') {
      throw problems.unauthorized('Send an API key: "Authorization: Bearer <key>".');
    }
    const key = BEARER.exec(authorization)?.[1];
    if (key === undefined || key.length > MAX_KEY_LENGTH) {
      throw problems.unauthorized('The Authorization header must be "Bearer <key>".');
    }
    const cacheKey = hashApiKey(key);
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > this.nowMs()) return cached.workspaceId;
    this.cache.delete(cacheKey);
    const workspaceId = await this.keys.findWorkspace(key);
    if (workspaceId === undefined) throw problems.unauthorized('The API key is unknown or revoked.');
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
    this.cache.set(cacheKey, { workspaceId, expiresAt: this.nowMs() + this.ttlMs });
    return workspaceId;
  }
}
