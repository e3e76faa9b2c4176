/** The delivery function's handling of a batch, as the simulation runs it with the production rules. */

import {
  admitJob,
  type BreakerPolicy,
  breakerAfterFailure,
  healthClearedBySuccess,
  type Lane,
} from '../../../shared/domain/health/endpointHealth';
import type { RetryRules, WebhookRateLimit } from './deliveryRules';
import type { EndpointHealthTable } from './endpointHealthTable';
import type { EventQueue } from './eventQueue';
import type { ReceiverModel } from './receiverModel';
import type { QueuedMessage, SqsStandardQueue } from './sqsStandardQueue';

export interface SimJob {
  webhookId: number;
  /** 1-based; travels in the job across re-sends. */
  attempt: number;
  /** Epoch ms before which the job is sent on instead of attempted. */
  notBefore?: number;
  /** The rate-limit slot the job reserved and waits for (as in the delivery job's `rateSlot`). */
  rateSlot?: number;
  /** When the event mapper enqueued it: the start of the write → receipt latency. */
  enqueuedAt: number;
}

export interface DeliveryOutcomes {
  /** 2xx answers, and the enqueue → receipt latency of each one to a healthy endpoint (ms). */
  delivered: number;
  healthyLatenciesMs: number[];
  attempts: number;
  failedAttempts: number;
  deadLettered: number;
  /** Jobs sent on without an attempt because they were not due yet (a hop towards `notBefore`). */
  hops: number;
  /** Due jobs that made no request because the endpoint's breaker was open (a failed attempt each). */
  circuitOpen: number;
  /** Primary-lane jobs moved to the slow lane: endpoint marked slow or breaker not closed, or a timeout. */
  movedToSlowLane: number;
  rateLimitDeferrals: number;
  /** Attempt-log entries written (one per attempt: a DynamoDB write unit each). */
  attemptLogWrites: number;
}

export function emptyOutcomes(): DeliveryOutcomes {
  return {
    delivered: 0,
    healthyLatenciesMs: [],
    attempts: 0,
    failedAttempts: 0,
    deadLettered: 0,
    hops: 0,
    circuitOpen: 0,
    movedToSlowLane: 0,
    rateLimitDeferrals: 0,
    attemptLogWrites: 0,
  };
}

export interface DeliveryHandlerModel {
  events: EventQueue;
  receivers: (webhookId: number) => ReceiverModel;
  isHealthy: (webhookId: number) => boolean;
  retry: RetryRules;
  /** The webhook rows' endpoint-health fields (what the breaker rules read and write). */
  health: EndpointHealthTable;
  breakerPolicy: BreakerPolicy;
  rateLimit: WebhookRateLimit;
  /** The lane this invocation serves, and the queues of both (hops stay in their lane). */
  lane: Lane;
  queues: Record<Lane, SqsStandardQueue<SimJob>>;
  /** This lane's request timeout for an attempt (PRIMARY_LANE_TIMEOUT_MS or REQUEST_TIMEOUT_MS). */
  attemptTimeoutMs: number;
  /** Primary lane: an attempt unanswered this long marks its endpoint slow (PRIMARY_LANE_SLOW_AFTER_MS). */
  slowAfterMs: number;
  /** CPU per job in the function (decode, sign, log): runs before the POST. */
  perJobCpuMs: number;
  random: () => number;
  /** Only outcomes at or after this time are counted (the warm-up is left out). */
  measureFromMs: number;
  outcomes: DeliveryOutcomes;
}

/**
 * What one delivery invocation does with its batch, step for step as functions/delivery/deliverJob.ts,
 * with the production rules called as they are: `isDue`/`hopDelaySeconds`/`scheduleNextAttempt` (retry)
 * and `admitJob`/`breakerAfterFailure`/`healthClearedBySuccess` (endpoint health). Every job of the batch runs
 * concurrently; a job not yet due hops on in its lane; a primary-lane job of a slow or failing endpoint
 * moves to the slow lane without a request; in the slow lane an open breaker turns a due job into a
 * failed attempt without a request (`circuit-open`) and a half-open one lets the winner of the probe
 * lease through; a primary-lane attempt unanswered after `slowAfterMs` marks the endpoint slow, and one
 * that times out moves to the slow lane with the same attempt; a failed attempt counts towards the
 * breaker and is re-sent to the slow lane for its next attempt (or dead-lettered). All re-sends go out
 * in SendMessageBatch calls when the batch is done, and the batch is acknowledged.
 */
export function handleDeliveryBatch(
  model: DeliveryHandlerModel,
  batch: QueuedMessage<SimJob>[],
  done: (failed: readonly QueuedMessage<SimJob>[]) => void,
): void {
  const { events, outcomes, health, breakerPolicy, lane } = model;
  const resend: Record<Lane, { body: SimJob; delaySeconds: number }[]> = { primary: [], slow: [] };
  let pending = batch.length;
  const counted = () => events.now >= model.measureFromMs;
  const finishOne = () => {
    pending -= 1;
    if (pending > 0) return;
    for (const to of ['primary', 'slow'] as const) {
      if (resend[to].length > 0) model.queues[to].sendBatch(resend[to]);
    }
    done([]);
  };
  const sendOn = (to: Lane, job: SimJob, dueAt: number | undefined) => {
    const delaySeconds = dueAt === undefined ? 0 : model.retry.hopDelaySeconds(dueAt, events.now);
    resend[to].push({ body: dueAt === undefined ? job : { ...job, notBefore: dueAt }, delaySeconds });
  };
  const markSlow = (webhookId: number) =>
    health.markSlow(webhookId, events.now, events.now + breakerPolicy.slowForMs);
  /** A failed attempt (made or circuit-open): the next attempt in the slow lane, or the dead-letter queue. */
  const scheduleNext = (job: SimJob, cause: string) => {
    const plan = model.retry.afterFailure({
      attempt: job.attempt,
      cause,
      nowMs: events.now,
      random: model.random,
    });
    if (plan.kind === 'retry') sendOn('slow', { ...job, attempt: plan.attempt }, plan.notBefore);
    else if (counted()) outcomes.deadLettered += 1;
  };

  for (const message of batch) {
    const job = message.body;
    const now = events.now;
    if (!model.retry.isDue(job.notBefore, now)) {
      if (counted()) outcomes.hops += 1;
      sendOn(lane, job, job.notBefore as number);
      finishOne();
      continue;
    }
    const seen = health.seenBy(job.webhookId, now);
    let admission = admitJob({ health: seen, lane, nowMs: now });
    if (admission === 'to-slow-lane') {
      if (counted()) outcomes.movedToSlowLane += 1;
      sendOn('slow', job, undefined);
      finishOne();
      continue;
    }
    // As in deliverJob: the rate limit after the breaker's admission, before the probe lease; a job the
    // open breaker turns away makes no request and takes no slot.
    const allowed =
      admission === 'circuit-open' ? { kind: 'attempt' as const } : model.rateLimit.admit(job, now);
    if (allowed.kind === 'defer') {
      if (counted()) outcomes.rateLimitDeferrals += 1;
      sendOn(
        lane,
        allowed.rateSlot === undefined ? job : { ...job, rateSlot: allowed.rateSlot },
        allowed.untilMs,
      );
      finishOne();
      continue;
    }
    if (admission === 'probe') {
      const won = health.acquireProbeLease(job.webhookId, now, breakerPolicy.probeLeaseMs);
      admission = won ? 'probe' : 'circuit-open';
    }
    if (admission === 'circuit-open') {
      // No request, no health write: a failed attempt on the normal schedule (it still reaches the DLQ).
      if (counted()) outcomes.circuitOpen += 1;
      scheduleNext(job, 'circuit-open');
      events.after(model.perJobCpuMs, finishOne);
      continue;
    }
    const wasProbe = admission === 'probe';
    const answer = model.receivers(job.webhookId).answer(model.random);
    const answered = answer.kind === 'answered' && answer.afterMs <= model.attemptTimeoutMs;
    const requestMs = answered && answer.kind === 'answered' ? answer.afterMs : model.attemptTimeoutMs;
    let markedSlow = false;
    if (lane === 'primary' && requestMs > model.slowAfterMs) {
      events.after(model.perJobCpuMs + model.slowAfterMs, () => {
        markedSlow = true;
        markSlow(job.webhookId);
      });
    }
    events.after(model.perJobCpuMs + requestMs, () => {
      const end = events.now;
      if (counted()) {
        outcomes.attempts += 1;
        outcomes.attemptLogWrites += 1;
      }
      if (answered) {
        const cleared = healthClearedBySuccess(health.seenBy(job.webhookId, end), {
          answeredInMs: requestMs,
          slowAfterMs: model.slowAfterMs,
        });
        if (cleared.length > 0) health.recordSuccess(job.webhookId, end, cleared);
        if (counted()) {
          outcomes.delivered += 1;
          if (model.isHealthy(job.webhookId)) outcomes.healthyLatenciesMs.push(end - job.enqueuedAt);
        }
        finishOne();
        return;
      }
      if (lane === 'primary') {
        // A primary-lane timeout is not a failed attempt: same attempt, slow lane, endpoint marked slow.
        if (counted()) {
          outcomes.attemptLogWrites -= 1; // no attempt-log entry for a move
          outcomes.movedToSlowLane += 1;
        }
        if (!markedSlow) markSlow(job.webhookId);
        sendOn('slow', job, undefined);
        finishOne();
        return;
      }
      if (counted()) outcomes.failedAttempts += 1;
      const after = health.recordFailure(job.webhookId, end);
      markSlow(job.webhookId);
      const breaker = breakerAfterFailure({
        health: { ...health.seenBy(job.webhookId, end), ...after },
        policy: breakerPolicy,
        nowMs: end,
        wasProbe,
      });
      if (breaker !== undefined) health.openBreaker(job.webhookId, end, breaker);
      scheduleNext(job, 'timeout');
      finishOne();
    });
  }
}
