import type { Admission, EndpointBreaker } from './deliveryRules';

export interface CircuitBreakerSettings {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker turns jobs away before one probe may test the endpoint. */
  openMs: number;
  /** Delivery containers cache the breaker state this long, so they see it open this much later. */
  cacheMs: number;
}

interface BreakerState {
  consecutiveFailures: number;
  openedAt?: number;
  probing: boolean;
}

/**
 * A stand-in for the per-webhook circuit breaker of issue 13 until the real one (a pure function in
 * shared/domain) is on main, following the rules: after `failureThreshold` consecutive failures
 * new jobs skip the attempt and are rescheduled; after `openMs` one probe at a time tests the endpoint;
 * a success closes it. The state lives in DynamoDB (a write per change), read through a short cache.
 */
export class InterimCircuitBreaker implements EndpointBreaker {
  private readonly states = new Map<number, BreakerState>();
  writes = 0;

  constructor(private readonly settings: CircuitBreakerSettings) {}

  admit(webhookId: number, nowMs: number): Admission {
    const state = this.states.get(webhookId);
    if (state?.openedAt === undefined || nowMs < state.openedAt + this.settings.cacheMs)
      return { kind: 'attempt' };
    const probeAt = state.openedAt + this.settings.openMs;
    if (nowMs >= probeAt && !state.probing) {
      // One probe: a conditional write makes sure only one container wins it.
      state.probing = true;
      this.writes += 1;
      return { kind: 'attempt' };
    }
    return { kind: 'defer', untilMs: Math.max(probeAt, nowMs + this.settings.openMs / 2) };
  }

  record(webhookId: number, succeeded: boolean, nowMs: number): void {
    const state = this.states.get(webhookId) ?? { consecutiveFailures: 0, probing: false };
    if (succeeded) {
      if (state.consecutiveFailures > 0 || state.openedAt !== undefined) this.writes += 1;
      this.states.delete(webhookId);
      return;
    }
    this.writes += 1;
    state.consecutiveFailures += 1;
    if (
      state.probing ||
      (state.openedAt === undefined && state.consecutiveFailures >= this.settings.failureThreshold)
    ) {
      state.openedAt = nowMs;
      state.probing = false;
    }
    this.states.set(webhookId, state);
  }
}
