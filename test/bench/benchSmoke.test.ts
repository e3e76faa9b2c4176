import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { benchmarks } from '../../bench/benchmarks';
import type { Figure, Summary } from '../../bench/lib/types';

const run = promisify(execFile);
const projectRoot = resolve(import.meta.dirname, '../..');
const fast = benchmarks.filter((b) => b.fastInSmoke).map((b) => b.name);
const outputDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

function expectSummary(summary: Summary): void {
  expect(summary.samples.length).toBeGreaterThan(0);
  for (const n of [summary.min, summary.median, summary.max, ...summary.samples]) {
    expect(Number.isFinite(n)).toBe(true);
  }
  expect(summary.min).toBeLessThanOrEqual(summary.median);
  expect(summary.median).toBeLessThanOrEqual(summary.max);
}

describe('npm run bench -- --smoke', () => {
  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

  // Proves the suite runs end to end and writes a complete report; the figures themselves are not judged.
  it('runs the fast benchmarks only, reports every figure with its baseline and ratio, and judges no target', async () => {
    expect(fast).toEqual(expect.arrayContaining(['mapper', 'delivery']));
    const output = join(outputDir, 'report.json');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--output', output],
      { cwd: projectRoot, timeout: 90_000 },
    );
    const report = JSON.parse(readFileSync(output, 'utf8')) as {
      figures: Figure[];
      machine: { cpus: number; node: string; os: string; packages: Record<string, string> };
      options: { smoke: boolean };
      targetsMissed: string[];
      benchmarks: Record<string, { details: Record<string, unknown> }>;
    };

    expect(report.options.smoke).toBe(true);
    // Smoke figures mean nothing: no target is judged, none is reported missed.
    expect(report.figures.filter((f) => f.target !== undefined)).toEqual([]);
    expect(report.targetsMissed).toEqual([]);
    expect(stdout).not.toContain('MISSED');
    expect(stdout).not.toContain('Targets missed');
    expect(stdout).toContain('no target is judged');
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    for (const version of Object.values(report.machine.packages)) expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(report.benchmarks).sort()).toEqual([...fast].sort());
    expect(report.figures.map((f) => f.id)).toEqual(
      expect.arrayContaining(['mapper.recordsPerSecond', 'delivery.postsPerSecond']),
    );
    for (const figure of report.figures) {
      expect(fast).toContain(figure.benchmark);
      expect(figure.baseline.title.length).toBeGreaterThan(0);
      expectSummary(figure.value);
      expectSummary(figure.baseline.value);
      expectSummary(figure.ratio);
      // The fast benchmarks pair their samples: repetition i of the value over repetition i of the baseline.
      figure.ratio.samples.forEach((ratio, i) => {
        const value = figure.value.samples[i] as number;
        const baseline = figure.baseline.value.samples[i % figure.baseline.value.samples.length] as number;
        expect(ratio).toBeCloseTo(value / baseline, 9);
      });
      expect(stdout).toContain(figure.title);
    }
  }, 120_000);
});
