/** What follows a failed attempt: another attempt at a due time, or the dead-letter queue. */

import { nextRetryDelaySeconds } from './nextRetryDelaySeconds';
import { isLastAttempt, type RetryPolicy } from './retryPolicy';
import { hopDelaySeconds } from './sqsDelay';

/** What follows a failed attempt: another one at `notBefore`, or the dead-letter queue. */
export type NextAttemptPlan =
  | {
      kind: 'retry';
      /** The attempt number the re-sent message will make. */
      attempt: number;
      /** Epoch ms when it is due. */
      notBefore: number;
      /** The full wait, for the attempt log and metrics. */
      delaySeconds: number;
      /** DelaySeconds of the first hop (≤ 900; later hops follow from `notBefore`). */
      firstHopDelaySeconds: number;
    }
  | { kind: 'dead-letter' };

/**
 * Pure: decides the next step after failed attempt `attempt` (1-based). The caller re-sends the job
 * (attempt + 1, `notBefore`) with `firstHopDelaySeconds` and acknowledges the received message, so no
 * job waits in flight. Used by the delivery function and, unchanged, by simulations.
 */
export function scheduleNextAttempt({
  attempt,
  policy,
  cause,
  retryAfter,
  nowMs,
  random = Math.random,
}: {
  attempt: number;
  policy: RetryPolicy;
  cause: string;
  retryAfter?: string;
  nowMs: number;
  random?: () => number;
}): NextAttemptPlan {
  if (isLastAttempt(attempt, policy)) return { kind: 'dead-letter' };
  const delaySeconds = nextRetryDelaySeconds({
    attempt,
    policy,
    cause,
    ...(retryAfter === undefined ? {} : { retryAfter }),
    now: new Date(nowMs),
    random,
  });
  const notBefore = nowMs + Math.round(delaySeconds * 1000);
  return {
    kind: 'retry',
    attempt: attempt + 1,
    notBefore,
    delaySeconds,
    firstHopDelaySeconds: hopDelaySeconds(notBefore, nowMs),
  };
}
