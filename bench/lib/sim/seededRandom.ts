/**
 * Samples for the simulation, drawn from the project's one seeded generator (mulberry32), so the same
 * seed replays the same run and a figure can be reproduced.
 */
export { seededRandom } from '../../../test/helpers/seededRandom';

/** A standard normal sample (Box–Muller). */
export function normalSample(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Poisson count with mean `mean` (Knuth's method; the normal approximation above a mean of 30). */
export function poissonSample(random: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normalSample(random)));
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random();
  while (product > limit) {
    count += 1;
    product *= random();
  }
  return count;
}
