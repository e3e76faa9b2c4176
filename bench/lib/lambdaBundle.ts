/** Bundles a handler as the CDK stack does, for the cold-start benchmark. */

import { build } from 'esbuild';

/** The banner the CDK stack adds (infra/cdk/constructs/productFunction.ts): bundled CommonJS needs `require`. */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Bundles like the CDK's NodejsFunction does for this project: ESM, minified, target node22, platform
 * node, AWS SDK bundled (nothing external), `module` before `main`, no source map, the require shim.
 */
export async function bundleLikeCdk(
  input: { entry: string } | { source: string; resolveDir: string },
  outfile: string,
): Promise<number> {
  const result = await build({
    ...('entry' in input
      ? { entryPoints: [input.entry] }
      : { stdin: { contents: input.source, resolveDir: input.resolveDir, loader: 'ts' } }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_SHIM },
    metafile: true,
    logLevel: 'warning',
  });
  const output = Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${outfile}`);
  return output.bytes;
}
