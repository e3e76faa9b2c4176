import { Agent, errors, request } from 'undici';
import { type AddressPolicy, blockedHostReason } from '../../domain/network/blockedAddress';
import { BlockedAddressError } from './blockedAddressError';
import { createGuardedConnector } from './guardedConnector';
import { type ResolveHost, resolveWithSystemDns } from './guardedLookup';
import { readBodyPrefix } from './readBodyPrefix';
import { USER_AGENT } from './userAgent';

/** Bytes of a response body read at most; the rest is never downloaded. */
export const RESPONSE_READ_LIMIT_BYTES = 4096;
/** Bytes of a response body kept for the attempt log. */
export const RESPONSE_LOG_LIMIT_BYTES = 1024;

export interface WebhookRequest {
  url: string;
  body: string;
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

  async function post({ url, body, headers, timeoutMs }: WebhookRequest): Promise<WebhookResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const refusal = refuseUrl(url, policy);
    if (refusal !== undefined) return { kind: 'blocked', error: refusal, durationMs: 0 };

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new RequestDeadlineError(timeoutMs)), timeoutMs);
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        body,
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': userAgent },
        signal: deadline.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // The status line is the receiver's answer; a body that breaks off or stalls afterwards does not
      // turn an acknowledged delivery into a failure (and a duplicate on retry).
      const prefix = await readBodyPrefix(response.body, RESPONSE_READ_LIMIT_BYTES).then(
        (read) => read.prefix,
        () => {
          response.body.destroy();
          return Buffer.alloc(0);
        },
      );
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'response',
        status: response.statusCode,
        ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
        responseBody: prefix.subarray(0, RESPONSE_LOG_LIMIT_BYTES).toString('utf8'),
        durationMs: elapsed(),
      };
    } catch (error) {
      return { ...classifyRequestError(error, deadline.signal.aborted), durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  return { post, close: () => agent.close() };
}

function refuseUrl(url: string, policy: AddressPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the target URL is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `the target URL scheme ${parsed.protocol} is not http(s)`;
  }
  return blockedHostReason(parsed.hostname, policy);
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
