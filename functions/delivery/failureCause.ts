/** The failure causes attempt logs and the `DeliveryFailed` metric use. */
export type FailureCause =
  | 'http-3xx'
  | 'http-4xx'
  | 'http-429'
  | 'http-5xx'
  | 'http-other'
  | 'timeout'
  | 'connection'
  | 'blocked'
  /** The endpoint's breaker was open: no request was made. */
  | 'circuit-open';

/**
 * Groups the domain's detailed cause (`http-503`, `connection-error`, `blocked-address`) into a small,
 * fixed set: metric dimensions must have few values, and the status code is logged separately.
 */
export function failureCauseOf(domainCause: string): FailureCause {
  if (domainCause === 'timeout') return 'timeout';
  if (domainCause === 'circuit-open') return 'circuit-open';
  if (domainCause === 'blocked-address') return 'blocked';
  if (domainCause === 'connection-error') return 'connection';
  const status = Number(/^http-(\d{3})$/.exec(domainCause)?.[1]);
  if (status === 429) return 'http-429';
  if (status >= 300 && status < 400) return 'http-3xx';
  if (status >= 400 && status < 500) return 'http-4xx';
  if (status >= 500 && status < 600) return 'http-5xx';
  return 'http-other';
}
