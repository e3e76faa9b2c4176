/** The delivery code as Lambda runs it, for the delivery benchmark. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleLikeCdk } from './lambdaBundle';

export type DeliveryBundle = typeof import('./deliveryBundleEntry');

/**
 * Bundles `deliveryBundleEntry.ts` with the stack's esbuild options (minified, no `keepNames`) and
 * imports it. Measuring the TypeScript sources through `tsx` instead would charge the handler for what
 * only `tsx` adds: it transforms with `keepNames`, so every closure the handler creates per job also
 * pays an `Object.defineProperty` of its name, which the deployed bundle never does.
 */
export async function loadDeliveryBundle(): Promise<DeliveryBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'delivery-bundle-'));
  try {
    const outfile = join(dir, 'delivery.mjs');
    await bundleLikeCdk({ entry: join(import.meta.dirname, 'deliveryBundleEntry.ts') }, outfile);
    return (await import(pathToFileURL(outfile).href)) as DeliveryBundle;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
