import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Checks the layout rules docs/architecture.md states, so they stay true as files come and go. */
const ROOT = join(import.meta.dirname, '../../..');
const UNIT = join(ROOT, 'test/unit');

/** Unit test files that cover more than one source file on purpose, with the reason. */
const COVERING_SEVERAL_FILES: Record<string, string> = {
  'test/unit/examples/receiverExamples.test.ts':
    'both receiver examples (examples/verify-*.ts), run the same way against the same deliveries',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The source files a test file may mirror: `<path>.test.ts` or `<path>.<topic>.test.ts` for `<path>.ts(x)`. */
function mirroredSources(testFile: string): string[] {
  const path = testFile.slice('test/unit/'.length).replace(/\.test\.ts$/, '');
  const withoutTopic = path.replace(/\.[^./]+$/, '');
  return [path, withoutTopic].flatMap((p) => [`${p}.ts`, `${p}.tsx`, `${p}.md`]);
}

describe('where a test lives (docs/architecture.md, "Where a test lives")', () => {
  it('every unit test file is named after the source file it tests, at the same path under test/unit', () => {
    const misplaced = filesUnder(UNIT)
      .filter((file) => file.endsWith('.test.ts') && !(file in COVERING_SEVERAL_FILES))
      .filter((file) => !mirroredSources(file).some((source) => existsSync(join(ROOT, source))));
    expect(misplaced, 'move each to test/unit/<path of the source it tests>').toEqual([]);
  });

  it('the exceptions still exist', () => {
    for (const file of Object.keys(COVERING_SEVERAL_FILES))
      expect(existsSync(join(ROOT, file)), file).toBe(true);
  });
});
