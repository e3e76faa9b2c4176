/** The table `npm run bench` prints: figures, baselines, ratios and targets. */

import type { Figure, Summary } from './types';

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.01) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(2);
}

function range(summary: Summary): string {
  return `${formatNumber(summary.median)} [${formatNumber(summary.min)}–${formatNumber(summary.max)}]`;
}

/** The end-of-run table: median [min–max] of value, baseline and ratio, and whether the target is met. */
export function renderTable(figures: readonly Figure[]): string {
  const header = ['figure', 'unit', 'value', 'baseline', 'ratio', 'target'];
  const rows = figures.map((f) => [
    f.title,
    f.unit,
    range(f.value),
    `${range(f.baseline.value)}${f.baseline.unit === f.unit ? '' : ` ${f.baseline.unit}`}`,
    range(f.ratio),
    f.target
      ? `${f.target.on} ${f.target.comparison} ${f.target.threshold} ${f.target.met ? 'met' : 'MISSED'}`
      : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function describeBaselines(figures: readonly Figure[]): string {
  return figures.map((f) => `  ${f.id}: baseline = ${f.baseline.title}`).join('\n');
}
