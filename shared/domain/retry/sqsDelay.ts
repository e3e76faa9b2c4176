/**
 * SQS delays a message by at most 15 minutes (DelaySeconds 0–900):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
 * A longer wait is a chain of such hops: each hop's message carries `notBefore`, and a job received
 * before it is due is sent on with the next hop's delay instead of being attempted.
 */
export const MAX_SQS_DELAY_SECONDS = 900;

/**
 * A job received at most this long before its `notBefore` is attempted at once: DelaySeconds is whole
 * seconds, so another hop could not land closer, and the schedule promises ±1 minute.
 */
const DUE_TOLERANCE_MS = 1_000;

/** DelaySeconds for the next hop towards `notBefore` (epoch ms): whole seconds, 0 to 900. */
export function hopDelaySeconds(notBefore: number, nowMs: number): number {
  const remainingSeconds = Math.ceil((notBefore - nowMs) / 1000);
  return Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, remainingSeconds));
}

/** True when a job with this `notBefore` may be attempted now (no `notBefore`: always). */
export function isDue(notBefore: number | undefined, nowMs: number): boolean {
  return notBefore === undefined || notBefore - nowMs <= DUE_TOLERANCE_MS;
}
