/** min / median / max over repetitions (or measurement windows), with every sample kept. */
export interface Summary {
  min: number;
  median: number;
  max: number;
  samples: number[];
}

export interface Target {
  /** What the threshold applies to: the median ratio, or the median value itself. */
  on: 'ratio' | 'value';
  comparison: '>=' | '<=';
  threshold: number;
  met: boolean;
}

/** One reported figure, always next to a baseline measured in the same run. */
export interface Figure {
  /** Stable key, e.g. `mapper.recordsPerSecond`. */
  id: string;
  benchmark: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  value: Summary;
  baseline: { title: string; unit: string; value: Summary };
  /** value / baseline, per repetition (paired), summarised. */
  ratio: Summary;
  target?: Target;
  notes?: string;
}

export interface BenchOptions {
  /** Seconds each timed loop runs. */
  durationSeconds: number;
  /** In-flight requests for the delivery benchmark and the load generators. */
  concurrency: number;
  repetitions: number;
  smoke: boolean;
  /** End-to-end sustained write rate (records/s) with 1 webhook. */
  rate: number;
  /** End-to-end write rate with 10 webhooks (each record becomes 10 deliveries). */
  fanOutRate: number;
}

/** Per-stage progress on stderr. */
export interface Progress {
  stage(message: string): void;
}

export interface BenchmarkContext {
  options: BenchOptions;
  progress: Progress;
  /** Results of benchmarks that ran earlier in this run (the cost model reads the end-to-end counts). */
  earlier: ReadonlyMap<string, BenchmarkResult>;
}

export interface BenchmarkResult {
  figures: Figure[];
  /** Extra measurements worth keeping in the report (emulator ceilings, latency curve, counts...). */
  details?: Record<string, unknown>;
  /** A few lines printed under the table (context the figures alone do not show). */
  highlights?: string[];
}

export interface Benchmark {
  name: string;
  description: string;
  /** Benchmarks whose results this one needs; `--only` pulls them in. */
  dependsOn?: string[];
  /** Runs in a few seconds without emulators in `--smoke` mode (what `npm test` exercises). */
  fastInSmoke: boolean;
  run(context: BenchmarkContext): Promise<BenchmarkResult>;
}
