import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestStack, resourceOf, type TestStack } from './helpers/stackFactories';

/**
 * Size budgets of the minified bundles (AWS SDK clients included). They catch an accidental dependency
 * (a whole SDK, a second copy of zod) long before Lambda's 250 MB limit or a slow cold start would.
 * Sizes measured on 2026-11-27 are next to each budget.
 */
const BUNDLE_BUDGET_BYTES = {
  // 970 KB measured: zod 444 KB, AWS SDK (DynamoDB, SQS, Secrets Manager) about 300 KB.
  SubscriptionsApiFunction: 1_250_000,
  // 457 KB measured: zod/mini 30 KB (classic zod would add about 425 KB).
  EventMapperFunction: 600_000,
  // 1.03 MB measured: undici adds 525 KB, zod/mini 29 KB.
  DeliveryFunction: 1_250_000,
} as const;

/**
 * The pipeline functions validate with `zod/mini`; classic zod (its schema classes are named `ZodObject`,
 * mini's `ZodMiniObject`) would cost them about 25 ms of import at every cold start.
 */
const WITHOUT_CLASSIC_ZOD: ReadonlySet<string> = new Set(['EventMapperFunction', 'DeliveryFunction']);

describe('real esbuild bundling', () => {
  let outdir: string;
  let built: TestStack;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'cdk-bundling-'));
    built = buildTestStack({ bundle: true, outdir });
  }, 120_000);
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it.each(Object.entries(BUNDLE_BUDGET_BYTES))(
    '%s: one minified ESM file with the require shim, no source map, under budget',
    (functionId, budget) => {
      const fn = resourceOf(built.template, 'AWS::Lambda::Function', functionId);
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const bundle = join(outdir, `asset.${assetHash}`, 'index.mjs');
      expect(existsSync(bundle), bundle).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(false);

      const size = statSync(bundle).size;
      expect(size, `${functionId} bundle is ${size} bytes`).toBeLessThan(budget);
      expect(size).toBeGreaterThan(10_000);

      const code = readFileSync(bundle, 'utf8');
      expect(
        code.startsWith(
          "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        ),
      ).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\s*\}/);
      expect(code).not.toContain('sourceMappingURL');
      // The SDK ships inside the bundle: the runtime's own copy is never relied on.
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      if (WITHOUT_CLASSIC_ZOD.has(functionId)) expect(code).not.toContain('"ZodObject"');
      // Minified: few, long lines.
      expect(code.split('\n').length).toBeLessThan(size / 1000);
    },
  );
});
