/**
 * The HTTP client that POSTs webhook requests: timeouts, redirects never followed, a bounded response read.
 */

import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { Agent, errors } from 'undici';
import { type AddressPolicy, blockedHostReason } from '../../domain/network/blockedAddress';
import { BlockedAddressError } from './blockedAddressError';
import { createGuardedConnector } from './guardedConnector';
import { type ResolveHost, resolveWithSystemDns } from './guardedLookup';
import { readBodyPrefix } from './readBodyPrefix';
import { USER_AGENT } from './userAgent';

/** Bytes of a response body read at most; the rest is never downloaded. */
const RESPONSE_READ_LIMIT_BYTES = 4096;
/** Bytes of a response body kept for the attempt log. */
export const RESPONSE_LOG_LIMIT_BYTES = 1024;

export interface WebhookRequest {
  url: string;
  /** The exact bytes that were signed (a string is sent as UTF-8). */
  body: string | Uint8Array;
  /** Signature headers; Content-Type and User-Agent are added here. */
  headers: Record<string, string>;
  timeoutMs: number;
}

export type WebhookResult =
  | {
      kind: 'response';
      status: number;
      retryAfter?: string;
      /** The first KB of the body, as text. */
      responseBody: string;
      durationMs: number;
    }
  | { kind: 'timeout' | 'connection-error' | 'blocked'; error: string; durationMs: number };

export interface WebhookHttpClient {
  post(request: WebhookRequest): Promise<WebhookResult>;
  close(): Promise<void>;
}

class RequestDeadlineError extends Error {
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'RequestDeadlineError';
  }
}

/**
 * The abort signal of one request, as the EventEmitter undici accepts in place of an AbortSignal: it
 * aborts once the deadline passes.
 * Kept (> 5 %, docs/performance.md): with AbortController + setTimeout a POST took 96–100 µs of CPU, not 73.
 */
class RequestDeadline extends EventEmitter {
  aborted = false;
  reason: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = new RequestDeadlineError(timeoutMs);
      this.emit('abort');
    }, timeoutMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * POSTs webhooks through one undici `Agent` (a keep-alive pool per origin, reused across
 * invocations of a warm Lambda). Redirects are never followed: undici 7 only follows them with the
 * redirect interceptor, which is not installed, so a 3xx comes back as a response like any other.
 * Every connection goes through the SSRF-guarded connector.
 */
export function createWebhookHttpClient({
  policy,
  resolveHost = resolveWithSystemDns,
  connectTimeoutMs = 10_000,
  userAgent = USER_AGENT,
}: {
  policy: AddressPolicy;
  resolveHost?: ResolveHost;
  connectTimeoutMs?: number;
  userAgent?: string;
}): WebhookHttpClient {
  const agent = new Agent({
    connect: createGuardedConnector({ policy, resolveHost, connectTimeoutMs }),
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });

  // A container posts to the same few URLs over and over, so each is parsed and judged once (lru-cache,
  // 1,000 URLs, least recently used out). The address policy of a URL's host never changes; addresses a
  // name resolves to are still judged on every new connection by the guarded connector.
  const targets = new LRUCache<string, Target>({
    max: 1_000,
    memoMethod: (url) => Object.freeze(parseTarget(url, policy)),
  });
  const fixedHeaders = { 'content-type': 'application/json', 'user-agent': userAgent };

  async function post({ url, body, headers, timeoutMs }: WebhookRequest): Promise<WebhookResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = targets.memo(url);
    if ('refusal' in target) return { kind: 'blocked', error: target.refusal, durationMs: 0 };

    // One deadline for connect, headers and the body prefix together: undici's own timeouts restart
    // per phase (and per body chunk), so a receiver dripping bytes could otherwise hold a job for long.
    const deadline = new RequestDeadline(timeoutMs);
    try {
      const response = await agent.request({
        origin: target.origin,
        path: target.path,
        method: 'POST',
        body,
        headers: Object.assign({}, headers, fixedHeaders),
        signal: deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // The status line is the receiver's answer; a body that breaks off or stalls afterwards does not
      // turn an acknowledged delivery into a failure (and a duplicate on retry).
      const prefix = hasNoBody(response.statusCode, response.headers)
        ? await response.body.dump().then(
            () => EMPTY,
            () => EMPTY,
          )
        : await readBodyPrefix(response.body, RESPONSE_READ_LIMIT_BYTES).then(
            (read) => read.prefix,
            () => {
              response.body.destroy();
              return EMPTY;
            },
          );
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'response',
        status: response.statusCode,
        ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
        responseBody:
          prefix.length === 0 ? '' : prefix.subarray(0, RESPONSE_LOG_LIMIT_BYTES).toString('utf8'),
        durationMs: elapsed(),
      };
    } catch (error) {
      return { ...classifyRequestError(error, deadline.aborted), durationMs: elapsed() };
    } finally {
      deadline.clear();
    }
  }

  return { post, close: () => agent.close() };
}

const EMPTY = Buffer.alloc(0);

/** 204/304 and `content-length: 0` answers carry no body: nothing to read or keep. */
function hasNoBody(status: number, headers: Record<string, string | string[] | undefined>): boolean {
  return status === 204 || status === 304 || headers['content-length'] === '0';
}

/** A target URL's origin and path, or why it is refused. */
type Target = Readonly<{ origin: string; path: string } | { refusal: string }>;

function parseTarget(url: string, policy: AddressPolicy): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { refusal: 'the target URL is not a valid URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { refusal: `the target URL scheme ${parsed.protocol} is not http(s)` };
  }
  const refusal = blockedHostReason(parsed.hostname, policy);
  if (refusal !== undefined) return { refusal };
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

function classifyRequestError(
  error: unknown,
  deadlinePassed: boolean,
): { kind: 'timeout' | 'connection-error' | 'blocked'; error: string } {
  const cause = error instanceof Error && error.cause instanceof BlockedAddressError ? error.cause : error;
  if (cause instanceof BlockedAddressError) return { kind: 'blocked', error: cause.message };
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (
    deadlinePassed ||
    cause instanceof RequestDeadlineError ||
    cause instanceof errors.ConnectTimeoutError ||
    (typeof code === 'string' && TIMEOUT_CODES.has(code))
  ) {
    return { kind: 'timeout', error: cause instanceof Error ? cause.message : 'request timed out' };
  }
  return { kind: 'connection-error', error: describe(cause) };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}
