/**
 * The delivery path's step for a webhook's delivery limits, between the breaker's admission and the request.
 */

import type { SQSRecord } from 'aws-lambda';
import type { DeliveryJob } from '../../shared/domain/delivery/deliveryJob';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { admitWithinLimits } from './admitWithinLimits';
import { type DeliverJobDependencies, errorName, logContextOf } from './deliverJob';
import type { JobDestination } from './jobOutbox';

/** What a job that takes no lease releases. */
export const NO_LEASE = { release: async () => {} };

/**
 * The delivery path's one step for the per-webhook limits, after the breaker's admission and before the
 * request. Returns the lease
 * release to call once the request has ended (a no-op without `maxConcurrentDeliveries`), or
 * `'waiting'` when the job was queued in the outbox to wait for its slot: same attempt, same delivery
 * id, counted in `DelayedByLimit`. Webhooks without limits go straight through (no limiter call).
 */
export async function passLimitGate(
  record: SQSRecord,
  job: DeliveryJob,
  webhook: Webhook,
  requestTimeoutMs: number,
  deps: DeliverJobDependencies,
  /** The queue of the lane the job came from: it waits there. */
  destination: JobDestination,
): Promise<{ release: () => Promise<void> } | 'waiting'> {
  const admission = await admitWithinLimits(job, webhook, {
    limiter: deps.limiter,
    nowMs: deps.now().getTime(),
    requestTimeoutMs,
    random: deps.random,
    onReleaseError: (error) => {
      deps.metrics.count('LeaseReleaseFailures');
      deps.logger.error('Could not release a concurrency lease; it expires on its own', {
        ...logContextOf(job),
        error: errorName(error),
      });
    },
  });
  if (admission.kind === 'admitted') return admission;
  deps.outbox.add(record.messageId, {
    destination,
    job: admission.job,
    delaySeconds: admission.delaySeconds,
  });
  deps.metrics.count('DelayedByLimit', { cause: admission.cause });
  deps.logger.debug('Delivery waits for its webhook limit', {
    ...logContextOf(job),
    cause: admission.cause,
    delaySeconds: admission.delaySeconds,
  });
  return 'waiting';
}
