/** `npm start`'s settings, read from the environment and validated. */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  type CrmSourcesConfig,
  defaultCrmSourcesConfig,
  parseCrmSourcesConfig,
} from '../../shared/config/crmSourcesConfig';
import {
  batchingWindowsFor,
  DEFAULT_LATENCY_PRESET,
  LATENCY_PRESETS,
  type LatencyPreset,
} from '../../shared/config/latencyPresets';
import { SECRET_STORE_MODES, type SecretStoreMode } from '../../shared/domain/webhooks/signingSecretStore';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number from 0 to 65535' })
    .int('must be a port number from 0 to 65535')
    .min(0, 'must be a port number from 0 to 65535')
    .max(65_535, 'must be a port number from 0 to 65535')
    .default(fallback);
const positiveInt = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int(error).min(min, error).max(max, error);
};

/** Fractions are allowed locally (to experiment); on AWS the windows are whole seconds. */
const windowSeconds = () =>
  z.coerce
    .number({ error: 'must be a number of seconds from 0 to 300' })
    .min(0, 'must be a number of seconds from 0 to 300')
    .max(300, 'must be a number of seconds from 0 to 300')
    .optional();

const localEnvSchema = z.object({
  PORT: port(3000),
  DYNAMODB_PORT: port(8000),
  SQS_PORT: port(4566),
  /** The local Secrets Manager endpoint is only used by the functions: any free port will do. */
  SECRETS_MANAGER_PORT: port(0),
  WEBHOOKS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  CRM_SOURCES_CONFIG_FILE: z.string().min(1).optional(),
  MAX_ATTEMPTS: positiveInt(1, 100).default(10),
  /** The deliveries queue's redrive maxReceiveCount, a crash-loop safety net (the stack's crashLoopMaxReceives). */
  CRASH_LOOP_MAX_RECEIVES: positiveInt(2, 1000).default(5),
  /**
   * Most concurrent receive loops on the deliveries queue (the primary lane's maximum concurrency); it
   * starts with 5 and scales up to this with the backlog, as Lambda's SQS pollers do. 25, not the stack's
   * 100: one Node process runs them all, and 25 already leave room beside the loops a wave of newly
   * hanging endpoints holds until they are marked slow (bench `isolation`).
   */
  DELIVERY_POLLERS: positiveInt(1, 100).default(25),
  /** Most concurrent receive loops on the slow-lane queue (retries, slow or failing endpoints). */
  SLOW_LANE_POLLERS: positiveInt(1, 100).default(5),
  /** The delivery function's timeout; the deliveries queue's visibility timeout is 6x this, as on AWS. */
  DELIVERY_TIMEOUT_SECONDS: positiveInt(10, 900).default(60),
  /** Retries of a failing stream batch before it goes to the mapper failure queue. */
  MAPPER_RETRY_ATTEMPTS: positiveInt(0, 100).default(3),
  /** The latency/cost trade-off (the stack's latencyPreset): the batching windows below, unless set. */
  LATENCY_PRESET: z
    .enum(LATENCY_PRESETS, { error: `must be one of ${LATENCY_PRESETS.join(', ')}` })
    .default(DEFAULT_LATENCY_PRESET),
  /** How long the SQS poller waits to fill a delivery batch (the CDK stack's deliveryBatchingWindowSeconds). */
  DELIVERY_BATCHING_WINDOW_SECONDS: windowSeconds(),
  /** How long the stream poller waits to fill an event-mapper batch (the stack's mapperBatchingWindowSeconds). */
  MAPPER_BATCHING_WINDOW_SECONDS: windowSeconds(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Where signing secrets live: `envelope` (default, one key secret) or `per-webhook` (one secret each). */
  SECRET_STORE: z.enum(SECRET_STORE_MODES).default('envelope'),
});

export interface LocalSettings {
  apiPort: number;
  dynamoDbPort: number;
  sqsPort: number;
  secretsManagerPort: number;
  apiKey?: string;
  crmSources: CrmSourcesConfig;
  /** Where the CRM sources config came from (shown to the user). */
  crmSourcesOrigin: string;
  maxAttempts: number;
  crashLoopMaxReceives: number;
  deliveryConcurrency: number;
  slowLaneConcurrency: number;
  deliveryTimeoutSeconds: number;
  mapperRetryAttempts: number;
  latencyPreset: LatencyPreset;
  /** Batching windows of the SQS and stream pollers: the preset's, or the variables' when set. */
  deliveryBatchingWindowMs: number;
  mapperBatchingWindowMs: number;
  region: string;
  secretStore: SecretStoreMode;
}

/** Settings the user must fix; `problems` has one line each (`NAME: what is wrong`). */
export class LocalSettingsError extends Error {
  override name = 'LocalSettingsError';
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(`Invalid environment:\n${list.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = list;
  }
}

/** Reads the local runtime's settings from the environment, naming the variable on any mistake. */
export function readLocalSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): LocalSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = localEnvSchema.safeParse(present);
  if (!result.success) {
    throw new LocalSettingsError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = result.data;
  let crmSources = defaultCrmSourcesConfig;
  let crmSourcesOrigin = 'built-in default (person, company, note, task, opportunity)';
  if (e.CRM_SOURCES_CONFIG_FILE) {
    const path = resolve(cwd, e.CRM_SOURCES_CONFIG_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new LocalSettingsError(`CRM_SOURCES_CONFIG_FILE: cannot read ${path}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new LocalSettingsError(
        `CRM_SOURCES_CONFIG_FILE: ${path} is not valid JSON (${(error as Error).message})`,
      );
    }
    try {
      crmSources = parseCrmSourcesConfig(json, `CRM sources config in ${path}`);
    } catch (error) {
      // One line per bad field of the file, each naming the variable and the file.
      const [, ...fields] = (error as Error).message.split('\n');
      throw new LocalSettingsError(
        fields.map((line) => `CRM_SOURCES_CONFIG_FILE (${path}): ${line.replace(/^\s*-\s*/, '')}`),
      );
    }
    crmSourcesOrigin = path;
  }
  const windows = batchingWindowsFor(e.LATENCY_PRESET, {
    mapperSeconds: e.MAPPER_BATCHING_WINDOW_SECONDS,
    deliverySeconds: e.DELIVERY_BATCHING_WINDOW_SECONDS,
  });
  return {
    apiPort: e.PORT,
    dynamoDbPort: e.DYNAMODB_PORT,
    sqsPort: e.SQS_PORT,
    secretsManagerPort: e.SECRETS_MANAGER_PORT,
    ...(e.WEBHOOKS_API_KEY === undefined ? {} : { apiKey: e.WEBHOOKS_API_KEY }),
    crmSources,
    crmSourcesOrigin,
    maxAttempts: e.MAX_ATTEMPTS,
    crashLoopMaxReceives: e.CRASH_LOOP_MAX_RECEIVES,
    deliveryConcurrency: e.DELIVERY_POLLERS,
    slowLaneConcurrency: e.SLOW_LANE_POLLERS,
    deliveryTimeoutSeconds: e.DELIVERY_TIMEOUT_SECONDS,
    mapperRetryAttempts: e.MAPPER_RETRY_ATTEMPTS,
    latencyPreset: e.LATENCY_PRESET,
    deliveryBatchingWindowMs: Math.round(windows.deliverySeconds * 1000),
    mapperBatchingWindowMs: Math.round(windows.mapperSeconds * 1000),
    region: e.AWS_REGION,
    secretStore: e.SECRET_STORE,
  };
}
