/**
 * Custom request headers on a webhook (Twenty users ask for auth headers, twentyhq/twenty#8691). Their
 * values are credentials: the API seals them like signing secrets and shows only their names.
 */

export const MAX_CUSTOM_HEADERS = 10;
const MAX_CUSTOM_HEADER_NAME_LENGTH = 100;
const MAX_CUSTOM_HEADER_VALUE_LENGTH = 4096;

/** `token` of RFC 9110 §5.6.2: https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers the sender owns. Hop-by-hop headers (RFC 9110 §7.6.1, plus the non-standard `keep-alive` and
 * `proxy-connection`) describe one connection, not the message; `host`, `content-length`,
 * `content-type`, `user-agent` and `expect` describe the request we build.
 */
const RESERVED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'user-agent',
  'expect',
]);

/** Why a header name cannot be used, or undefined when it can. */
export function customHeaderNameError(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_CUSTOM_HEADER_NAME_LENGTH || !TOKEN.test(name)) {
    return `must be an HTTP token (RFC 9110: letters, digits and !#$%&'*+-.^_\`|~), 1-${MAX_CUSTOM_HEADER_NAME_LENGTH} characters`;
  }
  const lower = name.toLowerCase();
  if (lower.startsWith('x-twenty-webhook-') || lower.startsWith('webhook-')) {
    return 'signature headers (X-Twenty-Webhook-*, webhook-*) are set by the sender';
  }
  if (RESERVED.has(lower)) return `"${lower}" is a hop-by-hop or sender-owned header`;
  return undefined;
}

/**
 * Why a header value cannot be sent, or undefined when it can: RFC 9110 §5.5 field values, visible
 * ASCII with inner spaces and tabs; no line breaks (header injection) and no leading or trailing
 * whitespace (HTTP strips it, so the receiver would see another value).
 */
export function customHeaderValueError(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_CUSTOM_HEADER_VALUE_LENGTH) {
    return `must be 1-${MAX_CUSTOM_HEADER_VALUE_LENGTH} characters`;
  }
  if (!/^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/.test(value)) {
    return 'must be visible ASCII characters, with spaces or tabs only inside (no line breaks)';
  }
  return undefined;
}

/** Names that differ only in case are the same HTTP header. */
export function duplicateCustomHeaderName(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) return name;
    seen.add(lower);
  }
  return undefined;
}
