/**
 * Per-endpoint health shared by every delivery container: stored on the webhook row (read through the
 * delivery function's short webhook cache, so a healthy endpoint costs no extra read or write) and
 * decided here, purely, with the clock passed in, so a simulator runs the same rules.
 */
export interface EndpointHealth {
  /** Failed attempts in a row (any container); a success resets it. */
  consecutiveFailures?: number;
  /** Epoch ms until which the breaker is open: no HTTP call is made. */
  breakerOpenUntil?: number;
  /** How many times the breaker opened in this failure run (the cooldown doubles each time). */
  breakerOpenings?: number;
  /** Epoch ms until which one container holds the right to probe a half-open breaker. */
  probeLeaseUntil?: number;
  /** Epoch ms until which the endpoint counts as slow: its jobs use the slow lane only. */
  slowUntil?: number;
}

export interface BreakerPolicy {
  /** Consecutive failed attempts that open the breaker (default 5). */
  failureThreshold: number;
  /** First cooldown; doubles with every reopening, up to `maxCooldownMs`. */
  baseCooldownMs: number;
  maxCooldownMs: number;
  /** How long a probe lease is held: longer than one attempt (the slow lane's request timeout). */
  probeLeaseMs: number;
  /** How long an endpoint stays marked slow after a timeout. */
  slowForMs: number;
}

export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({
  failureThreshold: 5,
  baseCooldownMs: 30_000,
  maxCooldownMs: 5 * 60_000,
  probeLeaseMs: 15_000,
  slowForMs: 5 * 60_000,
});

export type BreakerState = 'closed' | 'open' | 'half-open';

export function breakerState(health: EndpointHealth, nowMs: number): BreakerState {
  if (health.breakerOpenUntil === undefined) return 'closed';
  return nowMs < health.breakerOpenUntil ? 'open' : 'half-open';
}

export type Lane = 'primary' | 'slow';

/**
 * What to do with a due job before any HTTP call:
 * - `attempt`: make the attempt (closed breaker, and in the primary lane a fast endpoint);
 * - `probe`: the breaker's cooldown is over: attempt only if this container wins the probe lease
 *   (conditional write), else treat as `circuit-open`;
 * - `circuit-open`: no HTTP call; a failed attempt with cause `circuit-open`, rescheduled as usual;
 * - `to-slow-lane`: a primary-lane job of a slow or failing endpoint moves to the slow lane, same
 *   attempt, no call. Only the slow lane waits on such endpoints.
 *
 * `operatorSent`: the first attempt of a job an operator sent back (redrive, resend). That is a
 * deliberate request to try the endpoint again, so in the slow lane it is attempted whatever the
 * breaker says (no probe lease either); otherwise an open breaker would turn a 202 from the API into
 * a job that is dead-lettered again without a single request. It still moves out of the primary lane
 * like any job of a slow or failing endpoint, so a redrive of a dead endpoint's backlog only takes
 * slow-lane slots. Its outcome feeds the breaker as usual: a success closes it.
 */
export type Admission = 'attempt' | 'probe' | 'circuit-open' | 'to-slow-lane';

export function admitJob({
  health,
  lane,
  nowMs,
  operatorSent = false,
}: {
  health: EndpointHealth;
  lane: Lane;
  nowMs: number;
  operatorSent?: boolean;
}): Admission {
  const state = breakerState(health, nowMs);
  const slow = health.slowUntil !== undefined && nowMs < health.slowUntil;
  if (lane === 'primary' && (slow || state !== 'closed')) return 'to-slow-lane';
  if (operatorSent) return 'attempt';
  if (state === 'open') return 'circuit-open';
  if (state === 'half-open') {
    const leased = health.probeLeaseUntil !== undefined && nowMs < health.probeLeaseUntil;
    return leased ? 'circuit-open' : 'probe';
  }
  return 'attempt';
}

/** The cooldown for the breaker's `openings`-th opening (1-based): base, 2×, 4×… capped. */
export function cooldownMs(openings: number, policy: BreakerPolicy): number {
  return Math.min(policy.maxCooldownMs, policy.baseCooldownMs * 2 ** Math.max(0, openings - 1));
}

/**
 * After a failed attempt that made a call (or a failed probe), given the failure count after it: the
 * breaker to (re)open, or undefined to leave it as it is. A failed probe always reopens it, longer.
 */
export function breakerAfterFailure({
  health,
  policy,
  nowMs,
  wasProbe,
}: {
  health: EndpointHealth;
  policy: BreakerPolicy;
  nowMs: number;
  wasProbe: boolean;
}): { breakerOpenUntil: number; breakerOpenings: number } | undefined {
  const failures = health.consecutiveFailures ?? 0;
  const state = breakerState(health, nowMs);
  if (!wasProbe && (state === 'open' || failures < policy.failureThreshold)) return undefined;
  if (!wasProbe && state === 'half-open') return undefined;
  const openings = (health.breakerOpenings ?? 0) + 1;
  return { breakerOpenUntil: nowMs + cooldownMs(openings, policy), breakerOpenings: openings };
}

/** The health fields a success can clear (`failingSince` is the auto-disable failure run). */
export const CLEARABLE_HEALTH_FIELDS = [
  'failingSince',
  'consecutiveFailures',
  'breakerOpenUntil',
  'breakerOpenings',
  'probeLeaseUntil',
  'slowUntil',
] as const;
export type ClearableHealthField = (typeof CLEARABLE_HEALTH_FIELDS)[number];

/**
 * What a success clears: the failure run, the breaker (a successful probe closes it) and, if the answer
 * came within `slowAfterMs` (PRIMARY_LANE_SLOW_AFTER_MS), the slow mark. An answer slower than that
 * keeps the mark: the endpoint works but is too slow for the primary lane, and clearing the mark would
 * send its next jobs back there to hold primary slots until they are marked again. Empty when nothing
 * is set, so a healthy endpoint's success writes nothing.
 */
export function healthClearedBySuccess(
  health: EndpointHealth & { failingSince?: string },
  { answeredInMs, slowAfterMs }: { answeredInMs: number; slowAfterMs: number },
): ClearableHealthField[] {
  const keepSlowMark = answeredInMs >= slowAfterMs;
  return CLEARABLE_HEALTH_FIELDS.filter(
    (field) => health[field] !== undefined && !(field === 'slowUntil' && keepSlowMark),
  );
}
