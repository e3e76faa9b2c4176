/** How simulated webhook endpoints answer: healthy (log-normal latency) or hanging. */

import { normalSample } from './seededRandom';

/** How one webhook's endpoint answers a POST. */
export type ReceiverAnswer = { kind: 'answered'; afterMs: number } | { kind: 'hangs' };

export interface ReceiverModel {
  answer(random: () => number): ReceiverAnswer;
}

/**
 * A healthy endpoint on the internet: response times log-normal (the usual shape of service latency),
 * median `medianMs`, spread `sigma` (0.3 puts p99 at about 2× the median: 150 ms → ~300 ms).
 */
export function healthyReceiver(medianMs = 150, sigma = 0.3): ReceiverModel {
  return {
    answer: (random) => ({ kind: 'answered', afterMs: medianMs * Math.exp(sigma * normalSample(random)) }),
  };
}

/** A dead endpoint that accepts the connection and never answers: every attempt runs into the timeout. */
export function hangingReceiver(): ReceiverModel {
  return { answer: () => ({ kind: 'hangs' }) };
}
