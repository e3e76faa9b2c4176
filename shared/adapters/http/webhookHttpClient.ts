/**
 * The HTTP client that POSTs webhook requests: timeouts, redirects never followed, a bounded response read.
 */

import { LRUCache } from 'lru-cache';
import { Agent, type Dispatcher, errors } from 'undici';
import { type AddressPolicy, blockedHostReason } from '../../domain/network/blockedAddress';
import { BlockedAddressError } from './blockedAddressError';
import { createGuardedConnector } from './guardedConnector';
import { type ResolveHost, resolveWithSystemDns } from './guardedLookup';
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

  function post({ url, body, headers, timeoutMs }: WebhookRequest): Promise<WebhookResult> {
    const target = targets.memo(url);
    if ('refusal' in target)
      return Promise.resolve({ kind: 'blocked', error: target.refusal, durationMs: 0 });
    return new Promise<WebhookResult>((resolve) => {
      const exchange = new WebhookExchange(timeoutMs, resolve);
      try {
        agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: 'POST',
            body,
            headers: Object.assign({}, headers, fixedHeaders),
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          exchange,
        );
      } catch (error) {
        exchange.onResponseError(undefined, error as Error);
      }
    });
  }

  return { post, close: () => agent.close() };
}

/**
 * One request's exchange with the receiver, as an undici dispatch handler
 * (https://undici.nodejs.org/#/docs/api/Dispatcher?id=dispatcherdispatchoptions-handler): the status,
 * `Retry-After` and the first bytes of the body, nothing more. It settles once, with the first of:
 * - the end of the response;
 * - `RESPONSE_READ_LIMIT_BYTES` of body read (the rest is abandoned with its connection);
 * - an error: a timeout or connection error before the status, the status alone after it, so a body
 *   that breaks off or stalls never turns an acknowledged delivery into a failure (and a duplicate);
 * - the deadline: one for connect, headers and body together, since undici's own timeouts restart per
 *   phase (and per body chunk), so a receiver dripping bytes could otherwise hold a job for long.
 * `dispatch` instead of `request`: no response stream, promise or async resource per request, which
 * cost ~17 µs of CPU per POST (`npm run bench -- --only delivery`, docs/performance.md).
 */
class WebhookExchange implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | undefined;
  private deadlinePassed = false;
  private settled = false;
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private bodyBytes = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly resolve: (result: WebhookResult) => void,
  ) {
    this.timer = setTimeout(() => this.onDeadline(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The deadline passed while connecting: the request is not sent.
    if (this.deadlinePassed) controller.abort(new RequestDeadlineError(this.timeoutMs));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    const retryAfter = headers['retry-after'];
    if (typeof retryAfter === 'string') this.retryAfter = retryAfter;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const room = RESPONSE_READ_LIMIT_BYTES - this.bodyBytes;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.bodyBytes += Math.min(chunk.length, room);
    if (this.bodyBytes < RESPONSE_READ_LIMIT_BYTES) return;
    // Enough read: the receiver cannot make the sender buffer megabytes.
    this.settleWithResponse(true);
    controller.abort(new Error('response body beyond the read limit abandoned'));
  }

  onResponseEnd(): void {
    this.settleWithResponse(true);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.status !== 0) this.settleWithResponse(false);
    else this.settle({ ...classifyRequestError(error, this.deadlinePassed), durationMs: this.elapsed() });
  }

  private onDeadline(): void {
    this.deadlinePassed = true;
    const reason = new RequestDeadlineError(this.timeoutMs);
    if (this.status === 0) {
      this.settle({ kind: 'timeout', error: reason.message, durationMs: this.elapsed() });
    } else {
      this.settleWithResponse(false);
    }
    // Before the request started (still connecting), `onRequestStart` aborts it.
    this.controller?.abort(reason);
  }

  /** `withBody`: keep what was read; a body cut short (error, deadline) is dropped, the status kept. */
  private settleWithResponse(withBody: boolean): void {
    const prefix = withBody && this.bodyBytes > 0 ? Buffer.concat(this.chunks, this.bodyBytes) : EMPTY;
    this.settle({
      kind: 'response',
      status: this.status,
      ...(this.retryAfter === undefined ? {} : { retryAfter: this.retryAfter }),
      responseBody: prefix.length === 0 ? '' : prefix.subarray(0, RESPONSE_LOG_LIMIT_BYTES).toString('utf8'),
      durationMs: this.elapsed(),
    });
  }

  private settle(result: WebhookResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(result);
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

const EMPTY = Buffer.alloc(0);

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
