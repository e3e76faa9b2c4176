/** Statistics of the benchmarks: quantiles, paired figures against baselines, rates. */

import type { Figure, Summary, Target } from './types';

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function summarize(samples: readonly number[]): Summary {
  return {
    min: samples.length === 0 ? Number.NaN : Math.min(...samples),
    median: quantile(samples, 0.5),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
    samples: [...samples],
  };
}

/**
 * Builds a figure from paired samples: sample i of the value was measured right next to sample i of
 * the baseline, so each ratio compares two measurements taken under the same machine conditions
 * (unless `unpaired`).
 */
export function pairedFigure(input: {
  id: string;
  benchmark: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  values: readonly number[];
  baseline: { title: string; unit?: string; values: readonly number[] };
  target?: Omit<Target, 'met'>;
  notes?: string;
  /** The value and baseline were not measured in pairs: each ratio divides by the baseline's median. */
  unpaired?: boolean;
}): Figure {
  const baselineMedian = quantile(input.baseline.values, 0.5);
  const ratios = input.values.map((value, i) => {
    const base = input.unpaired
      ? baselineMedian
      : (input.baseline.values[i % input.baseline.values.length] as number);
    return base === 0 ? Number.NaN : value / base;
  });
  const value = summarize(input.values);
  const ratio = summarize(ratios);
  const figure: Figure = {
    id: input.id,
    benchmark: input.benchmark,
    title: input.title,
    unit: input.unit,
    higherIsBetter: input.higherIsBetter,
    value,
    baseline: {
      title: input.baseline.title,
      unit: input.baseline.unit ?? input.unit,
      value: summarize(input.baseline.values),
    },
    ratio,
  };
  if (input.target) {
    const measured = input.target.on === 'ratio' ? ratio.median : value.median;
    const met =
      input.target.comparison === '>='
        ? measured >= input.target.threshold
        : measured <= input.target.threshold;
    figure.target = { ...input.target, met };
  }
  if (input.notes) figure.notes = input.notes;
  return figure;
}

export interface Rates {
  /** Operations per second of elapsed time. */
  wall: number;
  /** Operations per second of this process's CPU time (user + system): what one core achieves. */
  cpu: number;
  /** CPU microseconds per operation. */
  cpuMicrosPerOp: number;
}

/** Measures `task` (which returns how many operations it did) in wall-clock and in CPU time. */
export async function measureRates(task: () => Promise<number>): Promise<Rates> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const operations = await task();
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    wall: operations / wallSeconds,
    cpu: operations / cpuSeconds,
    cpuMicrosPerOp: (cpuSeconds * 1e6) / operations,
  };
}

/** Runs `work` repeatedly for `seconds` (`work` returns the operations it did). */
export function repeatFor(seconds: number, work: () => Promise<number> | number): Promise<Rates> {
  return measureRates(async () => {
    const deadline = performance.now() + seconds * 1000;
    let operations = 0;
    while (performance.now() < deadline) operations += await work();
    return operations;
  });
}
