/**
 * A seeded uniform generator in [0, 1) (mulberry32): the same seed replays the same run, so scenarios
 * compare like with like and a figure can be reproduced.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
export function normalSample(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Exponential inter-arrival time with mean `meanMs` (Poisson arrivals). */
export function exponentialSample(random: () => number, meanMs: number): number {
  return -Math.log(1 - random()) * meanMs;
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
