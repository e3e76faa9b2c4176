/**
 * Delivers one job: the webhook, the endpoint's breaker and lane, the limits, the signed request, and what
 * follows it.
 */

import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import type { WebhookResult } from '../../shared/adapters/http/webhookHttpClient';
import type { DeadLetter } from '../../shared/domain/delivery/deadLetter';
import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import {
  attemptOf,
  type DeliveryJob,
  decodeDeliveryJob,
  encodeDeliveryJob,
} from '../../shared/domain/delivery/deliveryJob';
import { isOperatorSentAttempt } from '../../shared/domain/delivery/redrivenJob';
import {
  admitJob,
  breakerAfterFailure,
  breakerState,
  type ClearableHealthField,
  type EndpointHealth,
  healthClearedBySuccess,
  type Lane,
} from '../../shared/domain/health/endpointHealth';
import type { DeliveryLimiter } from '../../shared/domain/limits/deliveryLimiter';
import { isUnlimited } from '../../shared/domain/limits/deliveryLimits';
import { withoutRateSlot } from '../../shared/domain/limits/rateSlots';
import { serializePayload } from '../../shared/domain/payload/serializePayload';
import {
  classifyAttemptOutcome,
  hopDelaySeconds,
  isDue,
  scheduleNextAttempt,
} from '../../shared/domain/retry';
import { buildSignatureHeaders } from '../../shared/domain/signing';
import type { SigningSecretsReader } from '../../shared/domain/webhooks/signingSecretStore';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import type { DeliveryConfig } from './config';
import type { DeliveryMetrics } from './deliveryMetrics';
import { failureCauseOf } from './failureCause';
import type { JobDestination, JobOutbox } from './jobOutbox';
import { NO_LEASE, passLimitGate } from './passLimitGate';
import type { WebhookCache } from './webhookCache';

/**
 * What delivering one job uses: narrow slices of the adapters, built once per container by the handler,
 * and this invocation's outbox and attempt list, made afresh for each invocation.
 */
export interface DeliverJobDependencies {
  webhooks: WebhookCache;
  webhookWrites: {
    /** Counts a failed attempt; the row's health after it (undefined: the webhook is gone). */
    recordFailure(
      workspaceId: string,
      id: string,
      at: Date,
    ): Promise<(EndpointHealth & { failingSince: string }) | undefined>;
    /** Removes these health fields (what `healthClearedBySuccess` chose). */
    recordSuccess(workspaceId: string, id: string, fields: readonly ClearableHealthField[]): Promise<void>;
    disable(workspaceId: string, id: string, reason: 'gone' | 'failing', now: Date): Promise<boolean>;
    openBreaker(
      workspaceId: string,
      id: string,
      breaker: { breakerOpenUntil: number; breakerOpenings: number },
    ): Promise<void>;
    markSlow(workspaceId: string, id: string, until: number): Promise<void>;
    acquireProbeLease(workspaceId: string, id: string, nowMs: number, leaseMs: number): Promise<boolean>;
  };
  /** Attempts this invocation made, written to the delivery log together at its end. */
  attempts: DeliveryAttempt[];
  /** Messages this invocation sends (retries, delay hops, dead letters), sent together at its end. */
  outbox: JobOutbox;
  deadLetters: { put(entry: DeadLetter): Promise<void> };
  signingSecrets: SigningSecretsReader;
  /** Shared state of the per-webhook `rateLimit` and `maxConcurrentDeliveries` (unused without them). */
  limiter: DeliveryLimiter;
  http: {
    post(request: {
      url: string;
      body: string | Uint8Array;
      headers: Record<string, string>;
      timeoutMs: number;
    }): Promise<WebhookResult>;
  };
  metrics: DeliveryMetrics;
  logger: Logger;
  now: () => Date;
  random: () => number;
}

/**
 * `acknowledged`: the job is finished here (delete it once the outbox messages it queued are sent);
 * `retry`: report it in `batchItemFailures`.
 */
export type JobDisposition = 'acknowledged' | 'retry';

/**
 * One SQS record, start to finish: decode, wait further if it is not due, load the webhook and its
 * secrets, sign, POST, then act on the outcome (re-send for the next attempt, 410 disable,
 * auto-disable, dead-lettering) and log the attempt. No outcome leaves the message in flight: a
 * retry is a new message carrying `attempt` and `notBefore`, and the received one is acknowledged.
 * `requestTimeoutMs` is this attempt's budget (the configured timeout, shortened near the deadline).
 */
export async function deliverJob(
  record: SQSRecord,
  requestTimeoutMs: number,
  config: DeliveryConfig,
  deps: DeliverJobDependencies,
): Promise<JobDisposition> {
  const decoded = decodeDeliveryJob(record.body);
  if (!decoded.ok) {
    // Retrying cannot fix a malformed body; acknowledging keeps it from cycling into the DLQ forever.
    deps.logger.error('Malformed delivery job acknowledged without delivery', {
      messageId: record.messageId,
      reason: decoded.error,
    });
    deps.metrics.count('MalformedJobs');
    return 'acknowledged';
  }
  const job = decoded.job;
  const attempt = attemptOf(job);
  const lane = laneOf(record, config);
  const receivedAt = deps.now().getTime();
  if (!isDue(job.notBefore, receivedAt)) {
    // A wait longer than one SQS delay: send it on for the next hop; no attempt is made or counted.
    deps.outbox.add(record.messageId, {
      destination: queueOf(lane),
      job,
      delaySeconds: hopDelaySeconds(job.notBefore as number, receivedAt),
    });
    deps.metrics.count('DelayHops');
    return 'acknowledged';
  }
  const webhook = await deps.webhooks.get(job.workspaceId, job.webhookId);
  if (webhook === undefined || webhook.status !== 'active') {
    const cause = webhook === undefined ? 'webhook-deleted' : 'webhook-disabled';
    deps.logger.info('Delivery skipped', { ...logContextOf(job), cause });
    deps.metrics.count('JobsSkipped');
    recordAttempt(deps, job, attempt, 'skipped', { durationMs: 0, attemptedAt: deps.now() }, { cause });
    return 'acknowledged';
  }

  const nowMs = deps.now().getTime();
  const operatorSent = isOperatorSentAttempt(job);
  let admission = admitJob({ health: webhook, lane, nowMs, operatorSent });
  if (operatorSent && admission === 'attempt' && breakerState(webhook, nowMs) !== 'closed') {
    // Redrive/resend is a deliberate request to try again: made even though the breaker is open.
    deps.logger.info('Redriven job attempted although the breaker is open', logContextOf(job));
  }
  if (admission === 'to-slow-lane') {
    // A slow or failing endpoint: only the slow lane's slots wait on it. Same attempt, no call.
    deps.outbox.add(record.messageId, { destination: 'slow-lane', job, delaySeconds: 0 });
    deps.metrics.count('MovedToSlowLane', { cause: 'endpoint-slow' });
    return 'acknowledged';
  }
  // The webhook's own rateLimit / maxConcurrentDeliveries: over them the job waits in its lane's queue.
  // A circuit-open job makes no request, so it takes no slot; a webhook without limits has none to take.
  const limits =
    admission === 'circuit-open' || isUnlimited(webhook)
      ? NO_LEASE
      : await passLimitGate(record, job, webhook, requestTimeoutMs, deps, queueOf(lane));
  if (limits === 'waiting') return 'acknowledged';

  const startedAt = deps.now();
  let markedSlow = false;
  let result: WebhookResult;
  try {
    if (admission === 'probe') {
      const won = await deps.webhookWrites.acquireProbeLease(
        webhook.workspaceId,
        webhook.id,
        nowMs,
        config.breakerPolicy.probeLeaseMs,
      );
      if (won) deps.logger.info('Breaker half-open: probing the endpoint', logContextOf(job));
      admission = won ? 'probe' : 'circuit-open';
    }

    result =
      admission === 'circuit-open'
        ? { kind: 'connection-error', error: 'circuit open: no request made', durationMs: 0 }
        : lane === 'primary'
          ? await watchForSlowAnswer(
              () => postSigned(job, webhook, lane, requestTimeoutMs, config, deps, startedAt),
              config.primaryLaneSlowAfterMs,
              async () => {
                markedSlow = true;
                await markSlow(webhook, deps, config);
              },
            )
          : await postSigned(job, webhook, lane, requestTimeoutMs, config, deps, startedAt);
  } finally {
    // Given back as soon as the request has ended, whatever its outcome.
    if (limits !== NO_LEASE) await limits.release();
  }
  if (admission !== 'circuit-open') {
    deps.metrics.count('DeliveryAttempts');
    deps.metrics.latency(result.durationMs);
  }

  if (result.kind === 'timeout' && lane === 'primary') {
    // The primary lane gives an endpoint `primaryLaneTimeoutMs`; a slower one is not failing, it is
    // slow: the job moves to the slow lane at once with the same attempt, and so do the endpoint's next
    // jobs for a while (marked already once the attempt outlived `primaryLaneSlowAfterMs`).
    if (!markedSlow) await markSlow(webhook, deps, config);
    // Its request used the rate slot it may have held: the slow-lane attempt reserves a new one.
    deps.outbox.add(record.messageId, {
      destination: 'slow-lane',
      job: withoutRateSlot(job),
      delaySeconds: 0,
    });
    deps.metrics.count('MovedToSlowLane', { cause: 'timeout' });
    // The receiver did get a request: the delivery log shows it, as a failure of this attempt that
    // continues at once in the slow lane (same attempt number, later `attemptedAt`).
    recordAttempt(
      deps,
      job,
      attempt,
      'failed',
      { durationMs: result.durationMs, attemptedAt: startedAt },
      {
        cause: 'timeout',
        error: `no answer in the primary lane after ${Math.round(result.durationMs)} ms; the attempt continues in the slow lane`,
        nextAttemptAt: deps.now().toISOString(),
      },
    );
    deps.logger.info('Primary-lane attempt timed out; job moved to the slow lane', {
      ...logContextOf(job),
      timeoutMs: result.durationMs,
    });
    return 'acknowledged';
  }
  const classified =
    admission === 'circuit-open'
      ? { outcome: 'retry' as const, cause: 'circuit-open' }
      : classifyAttemptOutcome(result);
  const finishedAt = deps.now();
  // What every attempt-log entry of this attempt records, whatever its outcome.
  const attempted = requestFields(result, startedAt);

  if (classified.outcome === 'delivered') {
    deps.metrics.count('Delivered');
    // DEBUG, not INFO: every delivery is already in the delivery log (the API's deliveries route), and a
    // JSON line per success (~660 bytes) would cost ~$0.34 of CloudWatch Logs per million deliveries.
    // Checked first: below DEBUG, Powertools still reads the environment for every call.
    if (deps.logger.level <= LogLevelThreshold.DEBUG) {
      deps.logger.debug('Delivered', {
        ...logContextOf(job),
        status: attempted.statusCode,
        durationMs: result.durationMs,
      });
    }
    // The row as this container knows it now: a failure another job recorded meanwhile ends here too.
    const latest = deps.webhooks.cached(webhook.workspaceId, webhook.id) ?? webhook;
    const cleared = healthClearedBySuccess(latest, {
      answeredInMs: result.durationMs,
      slowAfterMs: config.primaryLaneSlowAfterMs,
    });
    if (cleared.length > 0) {
      // Closes the breaker (a successful probe) and ends the failure run; a fast answer ends the slow mark.
      await deps.webhookWrites.recordSuccess(webhook.workspaceId, webhook.id, cleared);
      deps.webhooks.patch(
        webhook.workspaceId,
        webhook.id,
        Object.fromEntries(cleared.map((field) => [field, undefined])),
      );
    }
    recordAttempt(deps, job, attempt, 'delivered', attempted);
    return 'acknowledged';
  }

  const cause = failureCauseOf(classified.cause);
  deps.metrics.count('DeliveryFailed', { cause });
  const failure = {
    ...logContextOf(job),
    cause,
    status: attempted.statusCode,
    durationMs: result.durationMs,
  };

  if (classified.outcome === 'gone') {
    // 410: the receiver retired this endpoint. Retrying would be pointless; the user re-enables it.
    await disableWebhook(webhook, 'gone', finishedAt, deps, failure);
    recordAttempt(deps, job, attempt, 'gone', attempted, { cause });
    return 'acknowledged';
  }

  // A circuit-open "attempt" made no call: it writes nothing (the probes keep the failure run going).
  const health =
    admission === 'circuit-open'
      ? undefined
      : await deps.webhookWrites.recordFailure(webhook.workspaceId, webhook.id, finishedAt);
  if (result.kind === 'timeout') await markSlow(webhook, deps, config);
  if (health !== undefined) {
    const { failingSince } = health;
    deps.webhooks.patch(webhook.workspaceId, webhook.id, health);
    const breaker = breakerAfterFailure({
      health: { ...webhook, ...health },
      policy: config.breakerPolicy,
      nowMs: finishedAt.getTime(),
      wasProbe: admission === 'probe',
    });
    if (breaker !== undefined) {
      await deps.webhookWrites.openBreaker(webhook.workspaceId, webhook.id, breaker);
      deps.webhooks.patch(webhook.workspaceId, webhook.id, { ...breaker, probeLeaseUntil: undefined });
      deps.metrics.count('BreakerOpened');
      deps.logger.warn('Circuit breaker opened: no requests to this endpoint until the cooldown ends', {
        ...logContextOf(job),
        consecutiveFailures: health.consecutiveFailures,
        openUntil: new Date(breaker.breakerOpenUntil).toISOString(),
      });
    }
    const failingForMs = finishedAt.getTime() - Date.parse(failingSince);
    if (failingForMs >= config.autoDisableAfterHours * 3_600_000) {
      await disableWebhook(webhook, 'failing', finishedAt, deps, { ...failure, failingSince });
      // Its remaining jobs are skipped like those of any disabled webhook; no point waiting to retry.
      recordAttempt(deps, job, attempt, 'failed', attempted, {
        cause,
        error: `${attempted.error ?? `HTTP ${attempted.statusCode}`}; webhook disabled after failing since ${failingSince}`,
      });
      return 'acknowledged';
    }
  }

  const plan = scheduleNextAttempt({
    attempt,
    policy: config.retryPolicy,
    cause: classified.cause,
    ...(result.kind === 'response' && result.retryAfter !== undefined
      ? { retryAfter: result.retryAfter }
      : {}),
    nowMs: finishedAt.getTime(),
    random: deps.random,
  });

  if (plan.kind === 'dead-letter') {
    await deadLetter(record, job, attempt, cause, finishedAt, deps);
    deps.logger.warn('Delivery failed for the last time; the job is dead-lettered', failure);
    recordAttempt(deps, job, attempt, 'dead-lettered', attempted, { cause });
    return 'acknowledged';
  }

  // Retries wait for, and run in, the slow lane: an endpoint that just failed should not take a
  // primary-lane slot again.
  deps.outbox.add(record.messageId, {
    destination: 'slow-lane',
    job: { ...job, attempt: plan.attempt, notBefore: plan.notBefore },
    delaySeconds: plan.firstHopDelaySeconds,
  });
  deps.metrics.count('RetriesScheduled');
  deps.logger.info('Delivery failed; retry scheduled', { ...failure, retryInSeconds: plan.delaySeconds });
  recordAttempt(deps, job, attempt, 'failed', attempted, {
    cause,
    nextAttemptAt: new Date(plan.notBefore).toISOString(),
  });
  return 'acknowledged';
}

/**
 * After the last attempt: the job goes into the webhook's dead-letter index (what redrive and resend
 * read) and, through the outbox, to the SQS dead-letter queue. The index is written first: if the DLQ
 * send then fails, the record is redelivered and dead-lettered again (same key, no duplicate entry).
 */
async function deadLetter(
  record: SQSRecord,
  job: DeliveryJob,
  attempt: number,
  cause: string,
  at: Date,
  deps: DeliverJobDependencies,
): Promise<void> {
  const { notBefore: _due, ...withoutDue } = job;
  await deps.deadLetters.put({
    webhookId: job.webhookId,
    workspaceId: job.workspaceId,
    deliveryId: job.deliveryId,
    eventId: job.eventId,
    event: job.event,
    attempts: attempt,
    cause,
    deadLetteredAt: at.toISOString(),
    jobBody: encodeDeliveryJob(withoutDue),
  });
  deps.outbox.add(record.messageId, { destination: 'dead-letter', job: withoutDue, delaySeconds: 0 });
  deps.metrics.count('DeadLettered');
}

async function disableWebhook(
  webhook: Webhook,
  reason: 'gone' | 'failing',
  now: Date,
  deps: DeliverJobDependencies,
  logContext: Record<string, unknown>,
): Promise<void> {
  const disabled = await deps.webhookWrites.disable(webhook.workspaceId, webhook.id, reason, now);
  deps.webhooks.patch(webhook.workspaceId, webhook.id, { status: 'disabled', disabledReason: reason });
  if (disabled) {
    deps.metrics.count('WebhooksDisabled', { cause: reason });
    deps.logger.warn(
      reason === 'gone'
        ? 'Webhook disabled: the receiver answered 410 Gone'
        : 'Webhook disabled: it has been failing for longer than AUTO_DISABLE_AFTER_HOURS',
      { ...logContext, reason },
    );
  }
}

/** When a request was made, how long it took, and its answer (or why there was none). */
interface RequestFields {
  attemptedAt: Date;
  durationMs: number;
  statusCode?: number;
  responseBody?: string;
  error?: string;
}

/** What every attempt-log entry of a finished request records, whatever its outcome. */
function requestFields(result: WebhookResult, attemptedAt: Date): RequestFields {
  const fields: RequestFields = { attemptedAt, durationMs: result.durationMs };
  if (result.kind !== 'response') fields.error = result.error;
  else {
    fields.statusCode = result.status;
    if (result.responseBody) fields.responseBody = result.responseBody;
  }
  return fields;
}

/**
 * Adds the attempt to this invocation's list; the handler writes the list to the delivery log at its
 * end. The job supplies the ids, `request` what happened (its time written as ISO text), `extra` the
 * outcome's own fields (`error` there replaces the request's).
 */
function recordAttempt(
  deps: DeliverJobDependencies,
  job: DeliveryJob,
  attempt: number,
  outcome: DeliveryAttempt['outcome'],
  request: RequestFields,
  extra?: Pick<DeliveryAttempt, 'cause' | 'error' | 'nextAttemptAt'>,
): void {
  // Property by property, not spread: this runs for every attempt.
  const entry: DeliveryAttempt = {
    webhookId: job.webhookId,
    deliveryId: job.deliveryId,
    eventId: job.eventId,
    event: job.event,
    attempt,
    outcome,
    durationMs: request.durationMs,
    attemptedAt: request.attemptedAt.toISOString(),
  };
  if (extra?.cause !== undefined) entry.cause = extra.cause;
  if (request.statusCode !== undefined) entry.statusCode = request.statusCode;
  if (request.responseBody !== undefined) entry.responseBody = request.responseBody;
  const error = extra?.error ?? request.error;
  if (error !== undefined) entry.error = error;
  if (extra?.nextAttemptAt !== undefined) entry.nextAttemptAt = extra.nextAttemptAt;
  deps.attempts.push(entry);
}

/** The ids every log line about a job carries; built only when a line is written. */
export function logContextOf(job: DeliveryJob): Record<string, unknown> {
  const context: Record<string, unknown> = {
    webhookId: job.webhookId,
    deliveryId: job.deliveryId,
    eventId: job.eventId,
    event: job.event,
    attempt: attemptOf(job),
  };
  if (job.redriveCount !== undefined) context.redriveCount = job.redriveCount;
  return context;
}

export function errorName(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The lane a record came from: the slow-lane queue's ARN ends with its queue name. */
export function laneOf(record: SQSRecord, config: Pick<DeliveryConfig, 'slowLaneQueueUrl'>): Lane {
  const slowQueueName = config.slowLaneQueueUrl.slice(config.slowLaneQueueUrl.lastIndexOf('/') + 1);
  return record.eventSourceARN?.endsWith(`:${slowQueueName}`) ? 'slow' : 'primary';
}

export function queueOf(lane: Lane): JobDestination {
  return lane === 'slow' ? 'slow-lane' : 'deliveries';
}

async function postSigned(
  job: DeliveryJob,
  webhook: Webhook,
  lane: Lane,
  requestTimeoutMs: number,
  config: DeliveryConfig,
  deps: DeliverJobDependencies,
  startedAt: Date,
): Promise<WebhookResult> {
  const secrets = await deps.signingSecrets.signingSecretsOf(webhook, startedAt);
  // Encoded once: both signatures and the request use these bytes (a string would be encoded three times).
  const body = Buffer.from(serializePayload(job, webhook));
  const signatureHeaders = buildSignatureHeaders({
    secrets,
    deliveryId: job.deliveryId,
    body,
    now: startedAt,
  });
  // Custom headers first: the signature headers (whose names the API refuses for custom ones) win.
  const headers =
    webhook.sealedHeaders === undefined
      ? signatureHeaders
      : { ...(await deps.signingSecrets.customHeadersOf?.(webhook)), ...signatureHeaders };
  return deps.http.post({
    url: webhook.targetUrl,
    body,
    headers,
    timeoutMs:
      lane === 'primary' ? Math.min(config.primaryLaneTimeoutMs, requestTimeoutMs) : requestTimeoutMs,
  });
}

/**
 * Runs a primary-lane request; if it is still unanswered after `slowAfterMs`, `onSlow` runs meanwhile
 * (marking the endpoint slow), so the endpoint's next jobs leave the primary lane without waiting for
 * this one's timeout. The request's result is returned once both are done; an `onSlow` failure is
 * thrown like any failed write of the delivery's bookkeeping.
 */
async function watchForSlowAnswer<T>(
  request: () => Promise<T>,
  slowAfterMs: number,
  onSlow: () => Promise<void>,
): Promise<T> {
  let marking: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    // Settled here and inspected below, so a failed write is never an unhandled rejection.
    marking = onSlow().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
  }, slowAfterMs);
  let result: T;
  try {
    result = await request();
  } finally {
    clearTimeout(timer);
  }
  const failed = (await marking) as { error: unknown } | undefined;
  if (failed !== undefined) throw failed.error;
  return result;
}

/** Marks (or keeps marking) the endpoint slow; every container then keeps it out of the primary lane. */
async function markSlow(
  webhook: Webhook,
  deps: DeliverJobDependencies,
  config: DeliveryConfig,
): Promise<void> {
  const until = deps.now().getTime() + config.breakerPolicy.slowForMs;
  // This container's cache first: its next jobs of the endpoint skip the primary lane while the write runs.
  deps.webhooks.patch(webhook.workspaceId, webhook.id, { slowUntil: until });
  await deps.webhookWrites.markSlow(webhook.workspaceId, webhook.id, until);
}
