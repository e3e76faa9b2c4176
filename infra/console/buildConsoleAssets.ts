/**
 * Builds the web console (console/src, Preact + TSX) into `outDir`: `index.html` naming
 * `assets/console-<hash>.js` and `.css`, each file also precompressed (`.br`, `.gz`). Nothing built is
 * committed: `npm start` builds into a temporary directory and the CDK stack runs this after bundling
 * the API function, so the Lambda asset carries the console beside its code.
 */

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { build } from 'esbuild';
import { projectRoot } from '../cdk/projectPaths';

const CONSOLE_SOURCE_DIR = join(projectRoot, 'console');
/** URL path the page loads its assets from (functions/subscriptions-api/routes/consoleRoutes.ts serves it). */
const ASSETS_URL = '/console/assets';

export interface BuiltConsole {
  outDir: string;
  /** File names under `assets/`, uncompressed, e.g. `console-3LQ7ZK2B.js`. */
  assets: string[];
  /** Bytes of JS + CSS as sent: uncompressed, gzip and brotli. */
  bytes: { raw: number; gzip: number; brotli: number };
}

function indexHtml(script: string, stylesheet: string): string {
  // No inline script or style: the CSP allows neither (functions/subscriptions-api/consoleSecurityHeaders.ts).
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>CRM webhooks console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS_URL}/${stylesheet}">
<script type="module" src="${ASSETS_URL}/${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The webhooks console needs JavaScript.</noscript>
</body>
</html>
`;
}

async function writeCompressed(path: string): Promise<{ raw: number; gzip: number; brotli: number }> {
  const content = await readFile(path);
  const gzip = gzipSync(content, { level: 9 });
  const brotli = brotliCompressSync(content, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  await writeFile(`${path}.gz`, gzip);
  await writeFile(`${path}.br`, brotli);
  return { raw: content.length, gzip: gzip.length, brotli: brotli.length };
}

export async function buildConsoleAssets(outDir: string): Promise<BuiltConsole> {
  await rm(outDir, { recursive: true, force: true });
  const assetsDir = join(outDir, 'assets');
  await mkdir(assetsDir, { recursive: true });
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: { console: join(CONSOLE_SOURCE_DIR, 'src/main.tsx') },
    tsconfig: join(CONSOLE_SOURCE_DIR, 'tsconfig.json'),
    bundle: true,
    minify: true,
    format: 'esm',
    // Browsers of the last few years; everything the console uses is in ES2020.
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning',
  });
  const assets = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = assets.find((name) => name.endsWith('.js'));
  const stylesheet = assets.find((name) => name.endsWith('.css'));
  if (script === undefined || stylesheet === undefined) {
    throw new Error(`console build produced ${assets.join(', ')}; expected one .js and one .css`);
  }
  const bytes = { raw: 0, gzip: 0, brotli: 0 };
  for (const name of [script, stylesheet]) {
    const sizes = await writeCompressed(join(assetsDir, name));
    bytes.raw += sizes.raw;
    bytes.gzip += sizes.gzip;
    bytes.brotli += sizes.brotli;
  }
  await writeFile(join(outDir, 'index.html'), indexHtml(script, stylesheet));
  await writeCompressed(join(outDir, 'index.html'));
  return { outDir, assets: [script, stylesheet], bytes };
}
