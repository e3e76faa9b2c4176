/**
 * `npm run build:console -- <outDir>`: builds the web console. The CDK stack runs it after bundling the
 * API function (into the function's asset); `npm start` builds on its own. Prints the sizes.
 */

import { resolve } from 'node:path';
import { buildConsoleAssets } from '../console/buildConsoleAssets';

const outDir = process.argv[2];
if (outDir === undefined) {
  console.error('usage: npm run build:console -- <outDir>');
  process.exit(2);
}
const built = await buildConsoleAssets(resolve(outDir));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `console built in ${built.outDir}: ${built.assets.join(', ')} — JS+CSS ${kb(built.bytes.raw)}, gzip ${kb(built.bytes.gzip)}, brotli ${kb(built.bytes.brotli)}`,
);
