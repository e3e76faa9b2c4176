/** The attempt-log outcome of a delivery that succeeded; every other outcome is always kept. */
const SUCCESS_OUTCOME = 'delivered';

/**
 * Whether an attempt goes into the delivery log. Failures (and skips, dead-letterings) are always kept:
 * they are what people read the log for. Successes are kept with probability `successSampleRate`
 * (1 = all, the default), which trades the log's completeness for its storage and write cost.
 */
export function keepsAttempt(outcome: string, successSampleRate: number, random: () => number): boolean {
  if (outcome !== SUCCESS_OUTCOME || successSampleRate >= 1) return true;
  return random() < successSampleRate;
}
