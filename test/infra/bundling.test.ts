import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestStack, resourceOf, streamArnFor, type TestStack } from './helpers/stackFactories';

/**
 * Size budgets of the minified bundles (AWS SDK clients included). They catch an accidental dependency
 * (a whole SDK, a second copy of zod) long before Lambda's 250 MB limit or a slow cold start would.
 * Sizes measured on 2026-11-27 are next to each budget.
 */
const BUNDLE_BUDGET_BYTES = {
  // 548 KB measured with the OpenAPI generator inside; now the committed docs/openapi.json (31 KB minified) as
  // data instead. AWS SDK (DynamoDB, SQS, Secrets Manager) about 300 KB, zod/mini 35 KB (classic zod
  // would add about 420 KB).
  SubscriptionsApiFunction: 700_000,
  // 457 KB measured: zod/mini 30 KB (classic zod would add about 425 KB).
  EventMapperFunction: 600_000,
  // 1.03 MB measured: undici adds 525 KB, zod/mini 29 KB.
  DeliveryFunction: 1_250_000,
  // The deploy-time check of imported CRM tables: DynamoDB client and the Powertools logger.
  StreamCheck: 450_000,
} as const;

describe('real esbuild bundling', () => {
  let outdir: string;
  let built: TestStack;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'cdk-bundling-'));
    // One imported table, so the stream check function exists and is bundled too.
    built = buildTestStack({
      bundle: true,
      outdir,
      crmSources: {
        crmTables: [
          { tableName: 'person', object: 'person' },
          { tableName: 'prod-company', object: 'company', streamArn: streamArnFor('prod-company') },
        ],
      },
    });
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
      // Every function validates with `zod/mini`; classic zod would cost 20-45 ms of import at every cold
      // start. Its base class is named `ZodType` (mini's `ZodMiniType`, core's `$ZodType`).
      expect(code).not.toContain('"ZodType"');
      // Minified: few, long lines.
      expect(code.split('\n').length).toBeLessThan(size / 1000);
    },
  );

  it('builds the web console into the API function asset, beside its bundle (CONSOLE_ASSETS_DIR)', () => {
    const fn = resourceOf(built.template, 'AWS::Lambda::Function', 'SubscriptionsApiFunction');
    const assetDir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(fn.Properties.Environment.Variables.CONSOLE_ASSETS_DIR).toBe('/var/task/console');
    const html = readFileSync(join(assetDir, 'console', 'index.html'), 'utf8');
    const assets = readdirSync(join(assetDir, 'console', 'assets')).sort();
    // One hashed script and one stylesheet, each with its brotli and gzip copies.
    expect(assets).toHaveLength(6);
    for (const name of assets.filter((a) => /\.(js|css)$/.test(a))) {
      expect(name).toMatch(/^console-[A-Z0-9]{8}\.(js|css)$/);
      expect(html).toContain(`/console/assets/${name}`);
      expect(assets).toEqual(expect.arrayContaining([`${name}.br`, `${name}.gz`]));
    }
    // The other functions carry no console.
    const mapper = resourceOf(built.template, 'AWS::Lambda::Function', 'EventMapperFunction');
    expect(
      existsSync(
        join(outdir, `asset.${String(mapper.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'console'),
      ),
    ).toBe(false);
  });
});
