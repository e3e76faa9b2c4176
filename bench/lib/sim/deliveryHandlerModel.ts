import type { EndpointBreaker, RetryRules, WebhookRateLimit } from './deliveryRules';
import type { EventQueue } from './eventQueue';
import type { ReceiverModel } from './receiverModel';
import type { QueuedMessage, SqsStandardQueue } from './sqsStandardQueue';

export interface SimJob {
  webhookId: number;
  /** 1-based; travels in the job across re-sends. */
  attempt: number;
  /** Epoch ms before which the job is sent on instead of attempted. */
  notBefore?: number;
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
  /** Jobs sent on without an attempt: not due yet (a hop), breaker open, or over the rate limit. */
  hops: number;
  breakerDeferrals: number;
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
    breakerDeferrals: 0,
    rateLimitDeferrals: 0,
    attemptLogWrites: 0,
  };
}

export interface DeliveryHandlerModel {
  events: EventQueue;
  receivers: (webhookId: number) => ReceiverModel;
  isHealthy: (webhookId: number) => boolean;
  retry: RetryRules;
  breaker: EndpointBreaker;
  rateLimit: WebhookRateLimit;
  /** Where retries and deferred jobs go (the slow lane). */
  retryQueue: SqsStandardQueue<SimJob>;
  /** This lane's request timeout for an attempt. */
  attemptTimeoutMs: number;
  /** CPU per job in the function (decode, sign, log): runs before the POST. */
  perJobCpuMs: number;
  random: () => number;
  /** Only outcomes at or after this time are counted (the warm-up is left out). */
  measureFromMs: number;
  outcomes: DeliveryOutcomes;
}

/**
 * What one delivery invocation does with its batch, as in functions/delivery: every job of the batch
 * runs concurrently; a job not yet due, or turned away by the breaker or the rate limit, is re-sent with
 * the next hop's delay; an attempt that fails is re-sent for its next attempt (or dead-lettered); all
 * re-sends go out in SendMessageBatch calls when the batch is done, and the batch is acknowledged.
 */
export function handleDeliveryBatch(
  model: DeliveryHandlerModel,
  batch: QueuedMessage<SimJob>[],
  done: (failed: readonly QueuedMessage<SimJob>[]) => void,
): void {
  const { events, outcomes } = model;
  const resend: { body: SimJob; delaySeconds: number }[] = [];
  let pending = batch.length;
  const counted = () => events.now >= model.measureFromMs;
  const finishOne = () => {
    pending -= 1;
    if (pending > 0) return;
    model.retryQueue.sendBatch(resend);
    done([]);
  };
  const sendOn = (job: SimJob, dueAt: number) => {
    const due = { ...job, notBefore: dueAt };
    resend.push({ body: due, delaySeconds: model.retry.hopDelaySeconds(dueAt, events.now) });
  };

  for (const message of batch) {
    const job = message.body;
    const now = events.now;
    if (!model.retry.isDue(job.notBefore, now)) {
      if (counted()) outcomes.hops += 1;
      sendOn(job, job.notBefore as number);
      finishOne();
      continue;
    }
    const admission = model.breaker.admit(job.webhookId, now);
    if (admission.kind === 'defer') {
      if (counted()) outcomes.breakerDeferrals += 1;
      sendOn(job, admission.untilMs);
      finishOne();
      continue;
    }
    const allowed = model.rateLimit.admit(job.webhookId, now);
    if (allowed.kind === 'defer') {
      if (counted()) outcomes.rateLimitDeferrals += 1;
      sendOn(job, allowed.untilMs);
      finishOne();
      continue;
    }
    const answer = model.receivers(job.webhookId).answer(model.random);
    const answered = answer.kind === 'answered' && answer.afterMs <= model.attemptTimeoutMs;
    const tookMs =
      model.perJobCpuMs + (answered && answer.kind === 'answered' ? answer.afterMs : model.attemptTimeoutMs);
    events.after(tookMs, () => {
      const end = events.now;
      if (counted()) {
        outcomes.attempts += 1;
        outcomes.attemptLogWrites += 1;
      }
      model.breaker.record(job.webhookId, answered, end);
      if (answered) {
        if (counted()) {
          outcomes.delivered += 1;
          if (model.isHealthy(job.webhookId)) outcomes.healthyLatenciesMs.push(end - job.enqueuedAt);
        }
      } else {
        if (counted()) outcomes.failedAttempts += 1;
        const plan = model.retry.afterFailure({
          attempt: job.attempt,
          cause: 'timeout',
          nowMs: end,
          random: model.random,
        });
        if (plan.kind === 'retry') sendOn({ ...job, attempt: plan.attempt }, plan.notBefore);
        else if (counted()) outcomes.deadLettered += 1;
      }
      finishOne();
    });
  }
}
