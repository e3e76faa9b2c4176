import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { buildDeliveryHandler } from '../../functions/delivery/buildDeliveryHandler';
import { loadDeliveryConfig } from '../../functions/delivery/config';
import type {
  DeliveryCountName,
  DeliveryMetrics,
  MetricDimension,
} from '../../functions/delivery/deliveryMetrics';
import type { JobDestination } from '../../functions/delivery/jobOutbox';
import type { WebhookHttpClient } from '../../shared/adapters/http/webhookHttpClient';
import { PerWebhookSigningSecrets } from '../../shared/adapters/secrets/perWebhookSigningSecrets';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import type { DeadLetter } from '../../shared/domain/delivery/deadLetter';
import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import { type DeliveryJob, decodeDeliveryJob } from '../../shared/domain/delivery/deliveryJob';
import type { ClearableHealthField } from '../../shared/domain/health/endpointHealth';
import type { DeliveryLimiter } from '../../shared/domain/limits/deliveryLimiter';
import { InProcessDeliveryLimiter } from '../../shared/domain/limits/inProcessDeliveryLimiter';
import { generateWebhookSecret } from '../../shared/domain/signing';
import type { SigningSecretsReader } from '../../shared/domain/webhooks/signingSecretStore';
import type { Webhook } from '../../shared/domain/webhooks/webhook';

/** A logger and metrics that print nothing, for handlers built in unit tests. */
export const silent = new Logger({ serviceName: 'delivery-test', logLevel: 'SILENT' });
const quietMetrics = new Metrics({
  namespace: 'CrmWebhooks',
  serviceName: 'delivery-test',
  logger: silent,
});

/**
 * In-memory stand-ins for the delivery function's dependencies (`DeliveryDependencies`), with the same semantics as the DynamoDB,
 * SQS and Secrets Manager adapters (those are exercised against the emulators in their own tests under
 * test/unit/shared/adapters and in test/integration/delivery). They record calls so the delivery handler's
 * unit tests can assert on decisions.
 */
export class InMemoryWebhookStore {
  readonly rows = new Map<string, Webhook>();
  readonly calls: string[] = [];

  put(webhook: Webhook): void {
    this.rows.set(webhook.id, structuredClone(webhook));
  }

  async get(_workspaceId: string, id: string): Promise<Webhook | undefined> {
    this.calls.push(`get:${id}`);
    const row = this.rows.get(id);
    return row === undefined ? undefined : structuredClone(row);
  }

  async recordFailure(_workspaceId: string, id: string, at: Date) {
    this.calls.push(`recordFailure:${id}`);
    const row = this.rows.get(id);
    if (row === undefined) return undefined;
    row.failingSince ??= at.toISOString();
    row.consecutiveFailures = (row.consecutiveFailures ?? 0) + 1;
    const {
      failingSince,
      consecutiveFailures,
      breakerOpenUntil,
      breakerOpenings,
      probeLeaseUntil,
      slowUntil,
    } = row;
    return structuredClone({
      failingSince,
      consecutiveFailures,
      ...(breakerOpenUntil === undefined ? {} : { breakerOpenUntil }),
      ...(breakerOpenings === undefined ? {} : { breakerOpenings }),
      ...(probeLeaseUntil === undefined ? {} : { probeLeaseUntil }),
      ...(slowUntil === undefined ? {} : { slowUntil }),
    });
  }

  async recordSuccess(
    _workspaceId: string,
    id: string,
    fields: readonly ClearableHealthField[],
  ): Promise<void> {
    this.calls.push(`recordSuccess:${id}`);
    const row = this.rows.get(id);
    if (row === undefined) return;
    for (const key of fields) delete row[key];
  }

  async openBreaker(
    _workspaceId: string,
    id: string,
    breaker: { breakerOpenUntil: number; breakerOpenings: number },
  ): Promise<void> {
    this.calls.push(`openBreaker:${id}`);
    const row = this.rows.get(id);
    if (row === undefined) return;
    Object.assign(row, breaker);
    delete row.probeLeaseUntil;
  }

  async markSlow(_workspaceId: string, id: string, until: number): Promise<void> {
    this.calls.push(`markSlow:${id}`);
    const row = this.rows.get(id);
    if (row !== undefined) row.slowUntil = until;
  }

  /** The same condition as the DynamoDB adapter's conditional write. */
  async acquireProbeLease(
    _workspaceId: string,
    id: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean> {
    this.calls.push(`acquireProbeLease:${id}`);
    const row = this.rows.get(id);
    if (row?.breakerOpenUntil === undefined || row.breakerOpenUntil > nowMs) return false;
    if (row.probeLeaseUntil !== undefined && row.probeLeaseUntil > nowMs) return false;
    row.probeLeaseUntil = nowMs + leaseMs;
    return true;
  }

  async disable(_workspaceId: string, id: string, reason: 'gone' | 'failing', now: Date): Promise<boolean> {
    this.calls.push(`disable:${id}:${reason}`);
    const row = this.rows.get(id);
    if (row === undefined || row.status !== 'active') return false;
    Object.assign(row, { status: 'disabled', disabledReason: reason, updatedAt: now.toISOString() });
    return true;
  }
}

class InMemoryAttemptLog {
  readonly entries: DeliveryAttempt[] = [];
  readonly ttlDays: number[] = [];

  /** Batch writes, each the attempts of one invocation. */
  readonly batches: number[] = [];

  /** The next batch write leaves its last `n` attempts unwritten, as the store does after its retries. */
  leaveUnprocessed = 0;
  /** The next batch write throws this. */
  failWith: Error | undefined;

  async recordBatch(attempts: readonly DeliveryAttempt[], ttlDays: number) {
    this.batches.push(attempts.length);
    if (this.failWith) {
      const error = this.failWith;
      this.failWith = undefined;
      throw error;
    }
    const kept = attempts.length - this.leaveUnprocessed;
    this.leaveUnprocessed = 0;
    for (const attempt of attempts.slice(0, kept)) {
      this.entries.push(attempt);
      this.ttlDays.push(ttlDays);
    }
    return { unprocessed: attempts.slice(kept) };
  }
}

/** A message the delivery function sent, decoded for assertions. */
export interface SentJob {
  destination: JobDestination;
  body: string;
  job: DeliveryJob;
  delaySeconds: number;
  attributes: Record<string, string>;
}

/**
 * Records SendMessageBatch calls per destination with SQS's semantics for what the function relies on
 * (one outcome per entry, DelaySeconds 0–900 checked by the real sender before this is reached).
 */
class RecordedJobQueues {
  readonly sent: SentJob[] = [];
  /** Calls made, one per `send` (one per destination and invocation). */
  readonly calls: { destination: JobDestination; count: number }[] = [];
  /** Entries whose body contains this text are reported as failed (SQS refused them). */
  failBodiesContaining: string | undefined;
  /** The next call throws (the request itself failed). */
  failNextCallWith: Error | undefined;

  async send(destination: JobDestination, messages: OutgoingMessage[]): Promise<SendOutcome[]> {
    this.calls.push({ destination, count: messages.length });
    if (this.failNextCallWith) {
      const error = this.failNextCallWith;
      this.failNextCallWith = undefined;
      throw error;
    }
    return messages.map((message) => {
      if (message.delaySeconds !== undefined && (message.delaySeconds > 900 || message.delaySeconds < 0)) {
        throw new Error(`DelaySeconds ${message.delaySeconds} breaks SQS's 900 s limit`);
      }
      if (this.failBodiesContaining !== undefined && message.body.includes(this.failBodiesContaining)) {
        return {
          entryId: message.entryId,
          status: 'failed',
          code: 'InternalError',
          senderFault: false,
          attempts: 3,
        };
      }
      const decoded = decodeDeliveryJob(message.body);
      if (!decoded.ok) throw new Error(decoded.error);
      this.sent.push({
        destination,
        body: message.body,
        job: decoded.job,
        delaySeconds: message.delaySeconds ?? 0,
        attributes: message.attributes,
      });
      return { entryId: message.entryId, status: 'sent' };
    });
  }

  to(destination: JobDestination): SentJob[] {
    return this.sent.filter((entry) => entry.destination === destination);
  }
}

class InMemoryDeadLetters {
  readonly entries = new Map<string, DeadLetter>();

  async put(entry: DeadLetter): Promise<void> {
    this.entries.set(`${entry.webhookId}#${entry.deliveryId}`, structuredClone(entry));
  }
}

/**
 * Secret versions by (name, version id), counting reads like Secrets Manager would bill them, read by the
 * real per-webhook reader (rotation window, missing previous version).
 */
class InMemorySecrets implements SigningSecretsReader {
  readonly versions = new Map<string, string>();
  reads = 0;
  private readonly reader = new PerWebhookSigningSecrets(this);

  signingSecretsOf(webhook: Webhook, now: Date): Promise<string[]> {
    return this.reader.signingSecretsOf(webhook, now);
  }

  add(secretName: string, value = generateWebhookSecret()): { versionId: string; value: string } {
    const versionId = randomUUID();
    this.versions.set(`${secretName}#${versionId}`, value);
    return { versionId, value };
  }

  async get(secretName: string, versionId: string): Promise<string> {
    this.reads++;
    const value = this.versions.get(`${secretName}#${versionId}`);
    if (value === undefined) {
      throw Object.assign(new Error('secret version not found'), { name: 'ResourceNotFoundException' });
    }
    return value;
  }
}

class RecordedMetrics implements DeliveryMetrics {
  readonly counts: { name: DeliveryCountName; cause?: string; operation?: string }[] = [];
  readonly latencies: number[] = [];
  flushes = 0;

  count(name: DeliveryCountName, dimension?: MetricDimension): void {
    this.counts.push({ name, ...dimension });
  }

  latency(milliseconds: number): void {
    this.latencies.push(milliseconds);
  }

  flush(): void {
    this.flushes++;
  }

  named(name: DeliveryCountName): { name: DeliveryCountName; cause?: string; operation?: string }[] {
    return this.counts.filter((entry) => entry.name === name);
  }
}

/** An active webhook row pointing at `targetUrl`, with its secret stored in `secrets`. */
export function webhookRow(
  secrets: InMemorySecrets,
  overrides: Partial<Webhook> & { targetUrl: string },
): { webhook: Webhook & { secretName: string }; secret: string } {
  const id = overrides.id ?? `wh_${randomUUID().slice(0, 8)}`;
  const secretName = `crm-webhooks/ws-1/${id}`;
  const { versionId, value } = secrets.add(secretName);
  const now = new Date().toISOString();
  return {
    secret: value,
    webhook: {
      id,
      workspaceId: 'ws-1',
      operations: ['*.*'],
      payloadFormat: 'default',
      status: 'active',
      createdAt: now,
      updatedAt: now,
      secretName,
      secretVersionId: versionId,
      version: 1,
      ...overrides,
    },
  };
}

/** The delivery environment the handler tests share (per-webhook secrets: `InMemorySecrets` holds versions). */
const TEST_DELIVERY_ENV = {
  WEBHOOKS_TABLE: 'webhooks',
  DELIVERY_LOG_TABLE: 'log',
  DELIVERIES_QUEUE_URL: 'http://sqs.local/000000000000/deliveries',
  SECRET_STORE: 'per-webhook',
  DEAD_LETTER_QUEUE_URL: 'http://sqs.local/000000000000/deliveries-dlq',
  SLOW_LANE_QUEUE_URL: 'http://sqs.local/000000000000/deliveries-slow',
  LOCAL_MODE: 'true',
};

/**
 * The real delivery handler over the stand-ins above and a real HTTP client: `env` on top of the shared
 * test environment; the stand-ins are returned for the test to arrange and read back.
 */
export function inMemoryDeliveryHandler<Limiter extends DeliveryLimiter = InProcessDeliveryLimiter>(options: {
  http: WebhookHttpClient;
  env?: Record<string, string>;
  store?: InMemoryWebhookStore;
  limiter?: Limiter;
  now?: () => Date;
  random?: () => number;
}) {
  const config = loadDeliveryConfig({ ...TEST_DELIVERY_ENV, ...options.env });
  const store = options.store ?? new InMemoryWebhookStore();
  const log = new InMemoryAttemptLog();
  const jobQueues = new RecordedJobQueues();
  const deadLetters = new InMemoryDeadLetters();
  const limiter = options.limiter ?? (new InProcessDeliveryLimiter() as DeliveryLimiter as Limiter);
  const secrets = new InMemorySecrets();
  const metrics = new RecordedMetrics();
  const handler = buildDeliveryHandler(config, {
    webhookStore: store,
    deliveryLog: log,
    deadLetters,
    limiter,
    jobQueues,
    signingSecrets: secrets,
    http: options.http,
    logger: silent,
    metrics: quietMetrics,
    now: options.now ?? (() => new Date()),
    deliveryMetrics: metrics,
    ...(options.random ? { random: options.random } : {}),
  });
  return { config, store, log, jobQueues, deadLetters, limiter, secrets, metrics, handler };
}
