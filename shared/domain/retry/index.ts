export { type AttemptResult, type ClassifiedAttempt, classifyAttemptOutcome } from './classifyAttemptOutcome';
export {
  baseDelaySeconds,
  JITTER_RATIO,
  nextRetryDelaySeconds,
  OVERLOAD_FLOOR_SECONDS,
  parseRetryAfter,
} from './nextRetryDelaySeconds';
export {
  DEFAULT_RETRY_POLICY,
  isLastAttempt,
  MAX_CONFIGURED_DELAY_SECONDS,
  parseRetryDelays,
  type RetryPolicy,
} from './retryPolicy';
export { type NextAttemptPlan, scheduleNextAttempt } from './scheduleNextAttempt';
export { DUE_TOLERANCE_MS, hopDelaySeconds, isDue, MAX_SQS_DELAY_SECONDS } from './sqsDelay';
