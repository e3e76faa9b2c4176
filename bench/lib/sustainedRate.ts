/** What a throughput step needs to say whether the pipeline kept pace with it. */
export interface StepOutcome {
  /** Records written per second during the step (what DynamoDB Local actually took). */
  writtenPerSecond: number;
  /** Every expected delivery arrived. */
  drained: boolean;
  /** Latency percentiles of each third of the step, by write time. */
  windowP95Ms: readonly number[];
  /** From the last write to the last receipt. */
  drainSeconds: number;
}

/**
 * The pipeline kept pace with a step when everything was delivered and no backlog built up:
 * - latency at the end of the step is not climbing away from latency at its start (a queue that grows
 *   shows up as later writes waiting longer);
 * - it stays within twice the unloaded latency plus 0.5 s (`unloadedP95Ms`: the lowest step's p95), so
 *   a backlog that built up in the first seconds and then stayed does not pass as flat;
 * - the last deliveries arrived about one latency after the last write.
 */
export function keptPace(step: StepOutcome, unloadedP95Ms: number): boolean {
  const first = step.windowP95Ms[0];
  const last = step.windowP95Ms[step.windowP95Ms.length - 1];
  if (!step.drained || first === undefined || last === undefined) return false;
  const notClimbing = last <= 1.5 * first + 250;
  const nearUnloaded = Math.max(...step.windowP95Ms) <= 2 * unloadedP95Ms + 500;
  const drainedPromptly = step.drainSeconds * 1000 <= 2 * Math.max(first, last) + 1_000;
  return notClimbing && nearUnloaded && drainedPromptly;
}

/** The p95 of the lowest-rate step: the latency of a pipeline with no backlog. */
export function unloadedP95(steps: readonly StepOutcome[]): number {
  const lowest = [...steps].sort((a, b) => a.writtenPerSecond - b.writtenPerSecond)[0];
  return lowest === undefined ? Number.NaN : Math.max(...lowest.windowP95Ms);
}

/** The highest write rate the pipeline kept pace with (0 if none). */
export function sustainedRate(steps: readonly StepOutcome[]): number {
  const unloaded = unloadedP95(steps);
  return Math.max(0, ...steps.filter((s) => keptPace(s, unloaded)).map((s) => s.writtenPerSecond));
}
