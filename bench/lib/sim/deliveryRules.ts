import {
  DEFAULT_RETRY_POLICY,
  isLastAttempt,
  nextVisibilityDelaySeconds,
} from '../../../shared/domain/retry';
import { MAX_DELAY_SECONDS as SQS_MAX_DELAY_SECONDS } from './sqsStandardQueue';

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

/** A job received at most this long before it is due is attempted (DelaySeconds is whole seconds). */
const DUE_TOLERANCE_MS = 1_000;

/**
 * The production retry schedule (shared/domain/retry: the default table, jitter, overload floor and last
 * attempt) with retries re-sent as delayed messages chained in ≤ 900 s hops, the design of issue 13.
 * Once the delivery-plane branch's `scheduleNextAttempt` / `hopDelaySeconds` / `isDue` are on main, they
 * replace the three bodies below one for one.
 */
export const productionRetryRules: RetryRules = {
  afterFailure({ attempt, cause, nowMs, random }) {
    if (isLastAttempt(attempt, DEFAULT_RETRY_POLICY)) return { kind: 'dead-letter' };
    const delaySeconds = nextVisibilityDelaySeconds({
      attempt,
      policy: DEFAULT_RETRY_POLICY,
      cause,
      now: new Date(nowMs),
      random,
    });
    return { kind: 'retry', attempt: attempt + 1, notBefore: nowMs + Math.round(delaySeconds * 1000) };
  },
  hopDelaySeconds(notBefore, nowMs) {
    return Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.ceil((notBefore - nowMs) / 1000)));
  },
  isDue(notBefore, nowMs) {
    return notBefore === undefined || notBefore - nowMs <= DUE_TOLERANCE_MS;
  },
};
