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

export type Admission = { kind: 'attempt' } | { kind: 'defer'; untilMs: number };

/** Per-endpoint health shared by all delivery containers (the circuit breaker). */
export interface EndpointBreaker {
  admit(webhookId: number, nowMs: number): Admission;
  record(webhookId: number, succeeded: boolean, nowMs: number): void;
  /** DynamoDB writes its state changes cost. */
  readonly writes: number;
}

/** The optional per-webhook rate limit: over it, a job is delayed, never dropped. */
export interface WebhookRateLimit {
  admit(webhookId: number, nowMs: number): Admission;
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
