/** The retry policy's public surface: outcome classification, delays, schedule and SQS delay hops. */

export { classifyAttemptOutcome } from './classifyAttemptOutcome';
export {
  baseDelaySeconds,
  JITTER_RATIO,
  nextRetryDelaySeconds,
  parseRetryAfter,
} from './nextRetryDelaySeconds';
export {
  DEFAULT_RETRY_POLICY,
  isLastAttempt,
  MAX_CONFIGURED_DELAY_SECONDS,
  parseRetryDelays,
  type RetryPolicy,
} from './retryPolicy';
export { scheduleNextAttempt } from './scheduleNextAttempt';
export { hopDelaySeconds, isDue, MAX_SQS_DELAY_SECONDS } from './sqsDelay';
