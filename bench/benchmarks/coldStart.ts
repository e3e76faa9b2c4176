/**
 * Benchmark: a cold start proxy per function, its minified bundle's size and import time in a fresh Node
 * process.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { defaultCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { METRICS_NAMESPACE } from '../../shared/observability/metricCatalog';
import { bundleLikeCdk } from '../lib/lambdaBundle';
import { pairedFigure, summarize } from '../lib/stats';
import type { Benchmark, Figure } from '../lib/types';

const run = promisify(execFile);
const projectRoot = resolve(import.meta.dirname, '../..');

const SDK_CLIENTS = {
  DynamoDBClient: '@aws-sdk/client-dynamodb',
  SQSClient: '@aws-sdk/client-sqs',
  SecretsManagerClient: '@aws-sdk/client-secrets-manager',
} as const;
type SdkClient = keyof typeof SDK_CLIENTS;

/** Each function's entry and the SDK clients it creates at module scope. */
const FUNCTIONS: { name: string; entry: string; clients: SdkClient[] }[] = [
  {
    name: 'subscriptions-api',
    entry: 'functions/subscriptions-api/handler.ts',
    clients: ['DynamoDBClient', 'SQSClient', 'SecretsManagerClient'],
  },
  {
    name: 'event-mapper',
    entry: 'functions/event-mapper/handler.ts',
    clients: ['DynamoDBClient', 'SQSClient'],
  },
  {
    name: 'delivery',
    entry: 'functions/delivery/handler.ts',
    clients: ['DynamoDBClient', 'SQSClient', 'SecretsManagerClient'],
  },
];

/** What the CDK stack sets on the functions, so each bundle's config parses at import as on Lambda. */
export const FUNCTION_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  WEBHOOKS_TABLE: 'webhooks',
  API_KEYS_TABLE: 'webhooks-api-keys',
  DELIVERY_LOG_TABLE: 'webhooks-delivery-log',
  DELIVERIES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries-dlq',
  SLOW_LANE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries-slow',
  MAPPER_FAILURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/mapper-failures',
  CRM_SOURCES_CONFIG: JSON.stringify(defaultCrmSourcesConfig),
  SIGNING_KEY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:signing-key-AbCdEf',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
};

/** Times `import()` of a module in a fresh Node process (the process start itself is not counted). */
const IMPORT_TIMER = `
const started = performance.now();
await import(process.env.BENCH_IMPORT_URL);
process.stdout.write(String(performance.now() - started));
`;

async function importMilliseconds(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER], {
    env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENV, BENCH_IMPORT_URL: pathToFileURL(file).href },
    timeout: 60_000,
  });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`import timer printed "${stdout}" for ${file}`);
  return ms;
}

function sdkClientsSource(clients: readonly SdkClient[]): string {
  const imports = clients.map((c) => `import { ${c} } from '${SDK_CLIENTS[c]}';`).join('\n');
  // Created like the project creates them, so the bundle keeps what construction pulls in.
  const creations = clients.map((c) => `new ${c}({ maxAttempts: 5 });`).join('\n');
  return `${imports}\n${creations}\nexport {};\n`;
}

/** Figure 4: bundle size and fresh-process import time of each function vs the bare SDK clients. */
export const coldStart: Benchmark = {
  name: 'cold',
  description: 'cold start proxy: minified bundle size and import time in a fresh Node process',
  fastInSmoke: false,
  async run({ options, progress }) {
    const imports = options.smoke ? 2 : Math.max(5, options.repetitions * 2);
    const dir = mkdtempSync(join(tmpdir(), 'crm-webhooks-bench-'));
    try {
      const empty = join(dir, 'empty.mjs');
      writeFileSync(empty, 'export {};\n');
      const modules: { key: string; file: string; bytes: number }[] = [
        { key: 'empty', file: empty, bytes: 11 },
      ];
      for (const fn of FUNCTIONS) {
        progress.stage(`cold: bundling ${fn.name} and its bare SDK clients with esbuild`);
        const file = join(dir, `${fn.name}.mjs`);
        modules.push({
          key: fn.name,
          file,
          bytes: await bundleLikeCdk({ entry: join(projectRoot, fn.entry) }, file),
        });
        const sdkFile = join(dir, `${fn.name}-sdk.mjs`);
        modules.push({
          key: `${fn.name}-sdk`,
          file: sdkFile,
          bytes: await bundleLikeCdk(
            { source: sdkClientsSource(fn.clients), resolveDir: projectRoot },
            sdkFile,
          ),
        });
      }
      const times = new Map<string, number[]>(modules.map((m) => [m.key, []]));
      // Round robin: each round imports every module once, so a slow spell affects all of them alike.
      for (let round = 1; round <= imports; round++) {
        progress.stage(
          `cold: import round ${round}/${imports} (${modules.length} modules, fresh process each)`,
        );
        for (const m of modules) times.get(m.key)?.push(await importMilliseconds(m.file));
      }

      const emptyMs = times.get('empty') as number[];
      const figures: Figure[] = [];
      const bundles: Record<string, unknown> = {};
      for (const fn of FUNCTIONS) {
        const own = modules.find((m) => m.key === fn.name) as (typeof modules)[number];
        const sdk = modules.find((m) => m.key === `${fn.name}-sdk`) as (typeof modules)[number];
        const clients = fn.clients.join(' + ');
        figures.push(
          pairedFigure({
            id: `cold.${fn.name}.bundleKiB`,
            benchmark: 'cold',
            title: `Cold start: ${fn.name} bundle size`,
            unit: 'KiB',
            higherIsBetter: false,
            values: [own.bytes / 1024],
            baseline: { title: `bundle of the bare SDK clients (${clients})`, values: [sdk.bytes / 1024] },
          }),
          pairedFigure({
            id: `cold.${fn.name}.importMs`,
            benchmark: 'cold',
            title: `Cold start: ${fn.name} import time`,
            unit: 'ms',
            higherIsBetter: false,
            values: times.get(fn.name) as number[],
            baseline: {
              title: `import of the bare SDK clients bundle (${clients})`,
              values: times.get(sdk.key) as number[],
            },
            notes: `Fresh node ${process.version} process per import; an empty module imports in ${summarize(emptyMs).median.toFixed(1)} ms (median).`,
          }),
        );
        bundles[fn.name] = {
          bytes: own.bytes,
          sdkClientsBytes: sdk.bytes,
          importMs: summarize(times.get(fn.name) as number[]),
          sdkClientsImportMs: summarize(times.get(sdk.key) as number[]),
        };
      }
      return {
        figures,
        details: {
          importsPerModule: imports,
          emptyModuleImportMs: summarize(emptyMs),
          bundles,
          esbuild:
            'ESM, minify, target node22, platform node, SDK bundled, createRequire banner (as the CDK stack)',
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
