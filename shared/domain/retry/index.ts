export { type AttemptResult, type ClassifiedAttempt, classifyAttemptOutcome } from './classifyAttemptOutcome';
export {
  baseDelaySeconds,
  JITTER_RATIO,
  nextVisibilityDelaySeconds,
  OVERLOAD_FLOOR_SECONDS,
  parseRetryAfter,
} from './nextVisibilityDelaySeconds';
export {
  DEFAULT_RETRY_POLICY,
  isLastAttempt,
  MAX_DELAY_SECONDS,
  parseRetryDelays,
  type RetryPolicy,
} from './retryPolicy';
