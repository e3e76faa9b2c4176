/** The security and caching headers of the web console's page and assets. */

/*
 * The Content-Security-Policy of the web console page, set by its route. (@middy/http-security-headers
 * would set its own default on HTML responses, with `sandbox` and `upgrade-insecure-requests` that
 * cannot be switched off one by one: its CSP is disabled and it keeps adding X-Frame-Options: DENY and
 * the other headers.) No inline script or style anywhere: scripts and styles come from the API's own
 * origin, and the page talks to nothing but that origin. Trusted Types are required: the console never
 * assigns HTML strings to the DOM.
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // The page's icon is an empty `data:` URL, so browsers do not request /favicon.ico.
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/**
 * Browser features the console page may use: only writing to the clipboard (the "Copy" button of the
 * secret dialog), from its own origin. Set by the route instead of @middy/http-security-headers, whose
 * default list names features browsers do not know and log as errors on every page load.
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Permissions-Policy
 */
export const CONSOLE_PERMISSIONS_POLICY = [
  'camera=()',
  'microphone=()',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'fullscreen=()',
  'clipboard-read=()',
  'clipboard-write=(self)',
].join(', ');

/** Hashed assets never change under their name: browsers may keep them for a year without asking. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** The page names the current hashes, so browsers revalidate it on every visit. */
export const PAGE_CACHE_CONTROL = 'no-cache';
