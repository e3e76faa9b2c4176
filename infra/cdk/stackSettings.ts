/** Every setting a deployer passes with `cdk deploy -c name=value`, validated at synth. */

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import {
  batchingWindowsFor,
  DEFAULT_LATENCY_PRESET,
  LATENCY_PRESETS,
} from '../../shared/config/latencyPresets';
import { SECRET_STORE_MODES } from '../../shared/domain/webhooks/signingSecretStore';
import { SynthConfigurationError } from './synthConfigurationError';

/**
 * Every knob a deployer can turn with `cdk deploy -c name=value` (or the `context` block of cdk.json).
 * Values from the command line arrive as strings, so numbers are coerced; anything invalid stops the
 * synth with a message naming the context key.
 */
const positiveInt = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int(error).min(min, error).max(max, error);
};
const optionalInt = (min: number, max: number) => positiveInt(min, max).optional();

const validLogRetentionDays = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

const stackSettingsSchema = z
  .object({
    /** CloudFormation stack name; also prefixes alarm and dashboard names. */
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a valid CloudFormation stack name')
      .default('CrmWebhooks'),
    /** Path (relative to the project root) of the CRM sources config JSON file. */
    crmSourcesConfig: z.string().min(1).default('config/crm-sources.json'),
    /** Delivery attempts before the function dead-letters a job (DLQ + the webhook's dead-letter index). */
    maxAttempts: positiveInt(1, 100).default(10),
    /**
     * The deliveries queue's redrive maxReceiveCount: a crash-loop safety net only. A retry is a new
     * message, so a message is received more than once only when its invocation crashed or timed out.
     */
    crashLoopMaxReceives: positiveInt(2, 1000).default(5),
    /** Comma-separated retry delays in seconds, one per attempt; unset = the delivery function's default. */
    retryDelaysSeconds: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be comma-separated whole seconds, e.g. "5,300,1800"')
      .optional(),
    /** Outbound request timeout of a delivery attempt. */
    requestTimeoutMs: positiveInt(1000, 60_000).default(10_000),
    /** Delivery function timeout; the deliveries queue's visibility timeout is 6x this. */
    deliveryTimeoutSeconds: positiveInt(10, 900).default(60),
    /** Disable a webhook after it has failed continuously for this long. */
    autoDisableAfterHours: positiveInt(1, 24 * 365).default(120),
    /** How long the per-attempt delivery log is kept (DynamoDB TTL). */
    deliveryLogTtlDays: positiveInt(1, 3650).default(30),
    /**
     * Share of successful attempts written to the delivery log (failures are always written): below 1
     * it cuts the log's write and storage cost, at the price of gaps among successes.
     */
    deliveryLogSuccessSampleRate: z.coerce
      .number({ error: 'must be a number from 0 to 1' })
      .min(0, 'must be a number from 0 to 1')
      .max(1, 'must be a number from 0 to 1')
      .default(1),
    /**
     * Point-in-time recovery on the delivery log. Off by default: the log expires by TTL and restoring it
     * restores nothing a user needs; PITR would cost $0.20/GB-month on top of its storage
     * (https://aws.amazon.com/dynamodb/pricing/on-demand/). The webhooks and API keys tables always have it.
     */
    deliveryLogPointInTimeRecovery: z
      .enum(['true', 'false'])
      .or(z.boolean().transform((b) => (b ? 'true' : 'false')))
      .default('false')
      .transform((value) => value === 'true'),
    /**
     * Where webhooks' signing secrets live. `envelope` (default): one Secrets Manager secret holds a key
     * that encrypts every webhook's secrets on its row ($0.40/month in all). `per-webhook`: one secret
     * per webhook ($0.40/month each), for per-secret IAM and CloudTrail. Chosen at the first deploy:
     * existing webhooks keep the form they were created in (docs/architecture.md#signing-secrets).
     */
    secretStore: z.enum(SECRET_STORE_MODES).default('envelope'),
    /** Per-webhook mode: Secrets Manager name prefix; webhook secrets are `<prefix>/<workspaceId>/<webhookId>`. */
    secretNamePrefix: z
      .string()
      .regex(
        /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/,
        'must be a Secrets Manager name prefix without a leading or trailing "/"',
      )
      .default('crm-webhooks'),
    /** Email address subscribed to the alarm topic; unset = subscribe yourself later. */
    alarmEmail: z.email('must be an email address').optional(),
    /**
     * Webhooks one workspace may hold (POST /webhooks answers 409 beyond it). Every CRM change is fanned
     * out to each matching webhook, so this bounds what one tenant's write costs everyone else.
     */
    maxWebhooksPerWorkspace: positiveInt(1, 10_000).default(100),
    /**
     * Hours without a stream batch reaching the event mapper before an alarm fires (the mapper's iterator
     * age alarm with missing data treated as breaching). 0 turns it off, for CRMs that are quiet longer.
     * CloudWatch evaluates at most 7 days of hourly data points.
     */
    streamSilenceAlarmHours: positiveInt(0, 168).default(24),
    /** `retain` keeps tables when the stack is deleted; `destroy` is for throwaway demo stacks. */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    logRetentionDays: z.coerce
      .number()
      .refine((days) => validLogRetentionDays.includes(days), {
        message: `must be one of CloudWatch Logs' retention periods: ${validLogRetentionDays.join(', ')}`,
      })
      .default(RetentionDays.ONE_MONTH),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    apiReservedConcurrency: optionalInt(1, 10_000),
    mapperReservedConcurrency: optionalInt(1, 10_000),
    deliveryReservedConcurrency: optionalInt(2, 10_000),
    /**
     * Most delivery invocations at once on the primary lane (Lambda SQS maxConcurrency). Sized for
     * >= 2,000 jobs/s with healthy receivers: an invocation of 10 jobs (sent concurrently) takes about
     * the slowest receiver's latency plus ~100 ms of overhead, ~0.5 s at a 400 ms p90 receiver, so one
     * invocation moves ~20 jobs/s and 100 of them ~2,000/s (docs/delivery.md → Throughput model).
     */
    deliveryMaxConcurrency: positiveInt(2, 1000).default(100),
    /** Jobs per primary-lane invocation. */
    deliveryBatchSize: positiveInt(1, 100).default(10),
    /**
     * The latency/cost trade-off in one setting (shared/config/latencyPresets.ts): `realtime` (default, no
     * batching windows), `balanced` (1 s on the delivery queues) or `economical` (1 s on the streams too).
     * Measured side by side in docs/performance.md#latency-presets.
     */
    latencyPreset: z.enum(LATENCY_PRESETS).default(DEFAULT_LATENCY_PRESET),
    /**
     * How long Lambda gathers queued jobs before invoking the delivery function, on every delivery lane
     * (0 = with what one poll returns); unset = the latency preset's. Whole seconds: Lambda's
     * MaximumBatchingWindowInSeconds (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
     */
    deliveryBatchingWindowSeconds: optionalInt(0, 300),
    /**
     * Most invocations at once on the slow lane (retries, slow or failing endpoints). Bounds what
     * hanging endpoints can hold: slowLaneMaxConcurrency x slowLaneBatchSize requests.
     */
    slowLaneMaxConcurrency: positiveInt(2, 1000).default(20),
    slowLaneBatchSize: positiveInt(1, 100).default(10),
    /** Attempt timeout in the primary lane; a slower endpoint's jobs move to the slow lane. */
    primaryLaneTimeoutMs: positiveInt(100, 60_000).default(2_000),
    /**
     * A primary-lane attempt unanswered this long marks its endpoint slow at once (the attempt runs on to
     * primaryLaneTimeoutMs): a newly hanging endpoint's later jobs stop taking primary-lane slots sooner.
     */
    primaryLaneSlowAfterMs: positiveInt(50, 60_000).default(1_000),
    /** Consecutive failed attempts that open an endpoint's circuit breaker. */
    breakerFailureThreshold: positiveInt(1, 1000).default(5),
    /** First breaker cooldown; doubles on every failed probe (up to 5 min). */
    breakerCooldownSeconds: positiveInt(1, 3600).default(30),
    /** How long an endpoint stays in the slow lane after a timeout. */
    slowMarkSeconds: positiveInt(1, 86_400).default(300),
    mapperBatchSize: positiveInt(1, 1000).default(100),
    /**
     * How long Lambda gathers stream records before invoking the mapper (0 = as soon as it polls): fuller
     * batches mean fuller SendMessageBatch requests at low write rates, at the price of that much latency.
     * Unset = the latency preset's.
     */
    mapperBatchingWindowSeconds: optionalInt(0, 300),
    /** Lambda retries of a failing stream batch (bisected each time) before it goes to the failure queue. */
    mapperRetryAttempts: positiveInt(0, 10_000).default(10),
    /**
     * Stream records older than this are not retried but reported to the failure queue. At most 24: DynamoDB
     * Streams removes records after 24 hours
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
     */
    mapperMaxRecordAgeHours: positiveInt(1, 24).default(6),
    mapperParallelizationFactor: positiveInt(1, 10).default(1),
    apiThrottleRateLimit: positiveInt(1, 10_000).default(50),
    apiThrottleBurstLimit: positiveInt(1, 5000).default(100),
  })
  .superRefine((s, ctx) => {
    if (s.deliveryTimeoutSeconds * 1000 < s.requestTimeoutMs * 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryTimeoutSeconds'],
        message: `must be at least twice requestTimeoutMs (${s.requestTimeoutMs} ms) so an attempt can finish and be logged`,
      });
    }
    if (s.deliveryTimeoutSeconds * 6 > 43_200) {
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryTimeoutSeconds'],
        message: 'must be at most 7200: the queue visibility timeout (6x) cannot exceed 12 hours',
      });
    }
    if (
      s.deliveryReservedConcurrency !== undefined &&
      s.deliveryReservedConcurrency < s.deliveryMaxConcurrency + s.slowLaneMaxConcurrency
    ) {
      // Throttled SQS invocations still count as receives: messages would reach the crash-loop redrive.
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryReservedConcurrency'],
        message: `must be at least deliveryMaxConcurrency + slowLaneMaxConcurrency (${s.deliveryMaxConcurrency + s.slowLaneMaxConcurrency}); throttled invocations count as receives`,
      });
    }
    if (s.primaryLaneTimeoutMs > s.requestTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['primaryLaneTimeoutMs'],
        message: `must be at most requestTimeoutMs (${s.requestTimeoutMs})`,
      });
    }
    if (s.primaryLaneSlowAfterMs > s.primaryLaneTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['primaryLaneSlowAfterMs'],
        message: `must be at most primaryLaneTimeoutMs (${s.primaryLaneTimeoutMs})`,
      });
    }
    const windows = batchingWindowsFor(s.latencyPreset, { deliverySeconds: s.deliveryBatchingWindowSeconds });
    if (s.deliveryBatchSize > 10 && windows.deliverySeconds === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryBatchSize'],
        // https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html: "When you set
        // BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1."
        message: `above 10 needs a delivery batching window (deliveryBatchingWindowSeconds > 0, or latencyPreset balanced or economical; latencyPreset is ${s.latencyPreset})`,
      });
    }
    if (s.apiThrottleBurstLimit < s.apiThrottleRateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['apiThrottleBurstLimit'],
        message: 'must be at least apiThrottleRateLimit',
      });
    }
  });

type ParsedStackSettings = z.infer<typeof stackSettingsSchema>;
/** The settings the constructs read: the batching windows resolved from the latency preset. */
export type StackSettings = Omit<
  ParsedStackSettings,
  'mapperBatchingWindowSeconds' | 'deliveryBatchingWindowSeconds'
> & { mapperBatchingWindowSeconds: number; deliveryBatchingWindowSeconds: number };
const stackSettingKeys = Object.keys(stackSettingsSchema.shape) as (keyof ParsedStackSettings)[];

/** Parses settings from a plain object (tests) or anything shaped like context values. */
export function parseStackSettings(input: Record<string, unknown>): StackSettings {
  const result = stackSettingsSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) =>
        `  - context "${i.path.join('.') || '(root)'}": ${i.message} (set it with -c ${String(i.path[0])}=...)`,
    );
    throw new SynthConfigurationError(`Invalid CDK context:\n${problems.join('\n')}`);
  }
  const windows = batchingWindowsFor(result.data.latencyPreset, {
    mapperSeconds: result.data.mapperBatchingWindowSeconds,
    deliverySeconds: result.data.deliveryBatchingWindowSeconds,
  });
  return {
    ...result.data,
    mapperBatchingWindowSeconds: windows.mapperSeconds,
    deliveryBatchingWindowSeconds: windows.deliverySeconds,
  };
}

/** Reads this app's context keys from the construct tree (cdk.json context and `-c` flags). */
export function readStackSettings(node: Node): StackSettings {
  const values: Record<string, unknown> = {};
  for (const key of stackSettingKeys) {
    const value = node.tryGetContext(key);
    // `-c alarmEmail=` arrives as an empty string: treat it as unset rather than invalid.
    if (value !== undefined && value !== '') values[key] = value;
  }
  return parseStackSettings(values);
}
