/**
 * `npm run bench`: runs the benchmarks and prints their figures beside baselines measured in the same run.
 */

import './lib/benchEnvironment';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchmarks } from './benchmarks';
import { describeBaselines, renderTable } from './lib/consoleTable';
import { machineInfo } from './lib/machineInfo';
import { stderrProgress } from './lib/progress';
import type { BenchmarkResult, BenchOptions, Figure } from './lib/types';

const USAGE = `Usage: npm run bench -- [options]

  --only <name[,name]>   run only these benchmarks (dependencies are added): ${benchmarks.map((b) => b.name).join(', ')}
  --duration <s>         seconds per timed loop (default 3; smoke 0.3)
  --concurrency <n>      in-flight requests for delivery and load generators (default 64; smoke 16)
  --reps <n>             repetitions per figure (default 5; smoke 2)
  --rate <n>             end-to-end write rate with 1 webhook, records/s (default 100; smoke 20)
  --fanout-rate <n>      end-to-end write rate with 10 webhooks, records/s (default rate / 4)
  --smoke                tiny mode that proves the suite works, in seconds: the benchmarks that need no
                         emulators unless --only names others; figures are meaningless, targets not judged
  --output <file>        report path (default bench/results/latest.json)
  --help                 this text
`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

function selectBenchmarks(only: string | undefined, smoke: boolean) {
  // A smoke run proves the suite works in seconds: the emulator benchmarks take minutes even when small.
  if (only === undefined) return smoke ? benchmarks.filter((b) => b.fastInSmoke) : benchmarks;
  const wanted = new Set(
    only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const name of wanted) {
    if (!benchmarks.some((b) => b.name === name)) {
      throw new Error(`unknown benchmark "${name}"; known: ${benchmarks.map((b) => b.name).join(', ')}`);
    }
  }
  // Dependencies run too (the cost model needs the end-to-end counts), in registry order.
  let added = true;
  while (added) {
    added = false;
    for (const b of benchmarks) {
      if (!wanted.has(b.name)) continue;
      for (const dependency of b.dependsOn ?? []) {
        if (!wanted.has(dependency)) {
          wanted.add(dependency);
          added = true;
        }
      }
    }
  }
  return benchmarks.filter((b) => wanted.has(b.name));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      reps: { type: 'string' },
      rate: { type: 'string' },
      'fanout-rate': { type: 'string' },
      smoke: { type: 'boolean', default: false },
      output: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const smoke = values.smoke === true;
  const options: BenchOptions = {
    smoke,
    durationSeconds: positive('duration', values.duration, smoke ? 0.3 : 3),
    concurrency: Math.round(positive('concurrency', values.concurrency, smoke ? 16 : 64)),
    repetitions: Math.round(positive('reps', values.reps, smoke ? 2 : 5)),
    rate: positive('rate', values.rate, smoke ? 20 : 100),
    fanOutRate: 0,
  };
  options.fanOutRate = positive(
    'fanout-rate',
    values['fanout-rate'],
    Math.max(5, Math.round(options.rate / 4)),
  );
  const selected = selectBenchmarks(values.only, smoke);
  const output = resolve(values.output ?? 'bench/results/latest.json');
  const progress = stderrProgress();
  progress.stage(
    `running ${selected.map((b) => b.name).join(', ')} (duration ${options.durationSeconds} s, ` +
      `concurrency ${options.concurrency}, ${options.repetitions} reps${smoke ? ', SMOKE' : ''})`,
  );
  const leftOut = benchmarks.filter((b) => !selected.includes(b));
  if (smoke && values.only === undefined && leftOut.length > 0) {
    progress.stage(
      `smoke: leaving out ${leftOut.map((b) => b.name).join(', ')} (emulators, minutes even when small; --smoke --only <name> runs one)`,
    );
  }

  const results = new Map<string, BenchmarkResult>();
  const timings: Record<string, number> = {};
  for (const benchmark of selected) {
    const started = performance.now();
    progress.stage(`${benchmark.name}: ${benchmark.description}`);
    results.set(benchmark.name, await benchmark.run({ options, progress, earlier: results }));
    timings[benchmark.name] = Math.round((performance.now() - started) / 100) / 10;
    progress.stage(`${benchmark.name}: done in ${timings[benchmark.name]} s`);
  }

  // Smoke figures mean nothing, so no target is judged on them.
  const figures: Figure[] = [...results.values()]
    .flatMap((r) => r.figures)
    .map((figure) => {
      if (!smoke) return figure;
      const { target: _notJudged, ...rest } = figure;
      return rest;
    });
  const report = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    machine: machineInfo(),
    figures,
    targetsMissed: figures.filter((f) => f.target && !f.target.met).map((f) => f.id),
    benchmarks: Object.fromEntries(
      selected.map((b) => [
        b.name,
        { description: b.description, seconds: timings[b.name], details: results.get(b.name)?.details ?? {} },
      ]),
    ),
  };
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(`\n${renderTable(figures)}\n\nBaselines:\n${describeBaselines(figures)}\n`);
  const highlights = [...results.values()].flatMap((r) => r.highlights ?? []);
  if (highlights.length > 0) process.stdout.write(`\n${highlights.map((h) => `  ${h}`).join('\n')}\n`);
  process.stdout.write(
    `\nmedian [min–max] over ${options.repetitions} repetitions (or measurement windows); ratio = value / baseline per repetition.\n`,
  );
  if (smoke) process.stdout.write('Smoke run: the figures mean nothing and no target is judged.\n');
  else if (report.targetsMissed.length > 0)
    process.stdout.write(`Targets missed: ${report.targetsMissed.join(', ')}\n`);
  process.stdout.write(`Report: ${output}\n`);
}

main().then(
  // Emulators and sockets are closed by each benchmark; exit anyway so a stray timer cannot hang the run.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
