/** Checks the layout rules docs/architecture.md states, so they stay true as files come and go. */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const UNIT = join(ROOT, 'test/unit');
/** The product's source directories: each of their files starts with a lead comment. */
const SOURCE_DIRS = ['functions', 'shared', 'infra', 'bench', 'console/src', 'examples'];

/** Unit test files that cover more than one source file on purpose, with the reason. */
const COVERING_SEVERAL_FILES: Record<string, string> = {
  'test/unit/examples/receiverExamples.test.ts':
    'both receiver examples (examples/verify-*.ts), run the same way against the same deliveries',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.includes('node_modules'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const sourceFiles = SOURCE_DIRS.flatMap((dir) => filesUnder(join(ROOT, dir))).filter((file) =>
  /\.tsx?$/.test(file),
);

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

describe('lead comments (docs/architecture.md, "Code layout")', () => {
  it('finds the source files', () => {
    expect(sourceFiles.length).toBeGreaterThan(200);
  });

  it('every source file starts with a /** … */ comment saying what it holds', () => {
    const withoutLead = sourceFiles.filter((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/^#![^\n]*\n/, '');
      return !/^\/\*\*\s*\S[\s\S]*?\*\//.test(text);
    });
    expect(withoutLead, 'add a one- to three-line /** … */ at the top of each').toEqual([]);
  });

  it('every repository file a comment names exists', () => {
    const repoPath =
      /(?<![\w@/.-])((?:\.{1,2}\/)*(?:functions|shared|infra|bench|console|examples|docs|test)\/[\w./-]*\w\.(?:tsx?|md|json|cjs|jsonc))(?![\w/])/g;
    const markdownName = /(?<![\w/.-])([\w-]+\.md)\b/g;
    const files = [...sourceFiles, ...filesUnder(join(ROOT, 'test')).filter((f) => f.endsWith('.ts'))];
    const markdownNames = new Set(
      ['README.md', ...filesUnder(join(ROOT, 'docs'))].map((f) => f.split('/').pop()),
    );
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [comment] of text.matchAll(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g)) {
        for (const [, path] of comment.matchAll(repoPath)) {
          const resolved = path?.startsWith('.') ? join(dirname(file), path) : (path ?? '');
          if (!existsSync(join(ROOT, resolved))) missing.push(`${file}: ${path}`);
        }
        for (const [, name] of comment.matchAll(markdownName)) {
          if (!markdownNames.has(name)) missing.push(`${file}: ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
