/**
 * The delivery function's decisions about one job, as ports the simulation calls (production rules from
 * shared/domain).
 */

import {
  DEFAULT_RETRY_POLICY,
  hopDelaySeconds,
  isDue,
  scheduleNextAttempt,
} from '../../../shared/domain/retry';

/**
 * The decisions the delivery function makes about one job, as ports the simulation calls. The
 * production implementations live in shared/domain; the simulation must run them, not copies.
 */
export type RetryPlan = { kind: 'retry'; attempt: number; notBefore: number } | { kind: 'dead-letter' };

export interface RetryRules {
  /** After failed attempt `attempt` (1-based): the next attempt's due time, or the dead-letter queue. */
  afterFailure(input: { attempt: number; cause: string; nowMs: number; random: () => number }): RetryPlan;
  /** DelaySeconds of the next SQS hop towards `notBefore` (0–900). */
  hopDelaySeconds(notBefore: number, nowMs: number): number;
  /** Whether a job due at `notBefore` may be attempted now. */
  isDue(notBefore: number | undefined, nowMs: number): boolean;
}

/**
 * What a limit says about a job that is due: attempt it now, or send it on until `untilMs`, carrying
 * `rateSlot` (the slot it reserved: it then delivers without asking again, as the job field does).
 */
export type Admission = { kind: 'attempt' } | { kind: 'defer'; untilMs: number; rateSlot?: number };

/** The job fields the rate limit reads: a job back at its reserved slot holds it (`holdsRateSlot`). */
export interface RateLimitedJob {
  webhookId: number;
  rateSlot?: number;
  notBefore?: number;
}

/**
 * The optional per-webhook rate limit: over it, a job is delayed, never dropped. `productionRateLimit`
 * (productionRateLimit.ts) runs the production rules (shared/domain/limits); `noRateLimit` is a plane
 * where no webhook sets one. The endpoint breaker is not a port: the handler model calls
 * shared/domain/health/endpointHealth.ts. (The concurrency cap is not simulated.)
 */
export interface WebhookRateLimit {
  admit(job: RateLimitedJob, nowMs: number): Admission;
  /** DynamoDB writes the limiter made (one per reserved slot); absent: none. */
  readonly writes?: number;
}

export const noRateLimit: WebhookRateLimit = { admit: () => ({ kind: 'attempt' }) };

/**
 * The production retry rules, unchanged: `scheduleNextAttempt` (default table, ±20 % jitter, overload
 * floor, last attempt → dead letter), `hopDelaySeconds` (≤ 900 s hops towards `notBefore`) and `isDue`.
 */
export const productionRetryRules: RetryRules = {
  afterFailure({ attempt, cause, nowMs, random }) {
    const plan = scheduleNextAttempt({ attempt, policy: DEFAULT_RETRY_POLICY, cause, nowMs, random });
    return plan.kind === 'retry'
      ? { kind: 'retry', attempt: plan.attempt, notBefore: plan.notBefore }
      : { kind: 'dead-letter' };
  },
  hopDelaySeconds,
  isDue,
};
