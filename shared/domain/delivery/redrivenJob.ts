/** The job sent again for a dead letter (redrive, resend), and how delivery recognises its first attempt. */

import { attemptOf, type DecodeResult, type DeliveryJob, decodeDeliveryJob } from './deliveryJob';

/**
 * The job to send again for a dead letter (redrive, resend): same delivery id and event, attempts
 * starting afresh (`attempt` absent = 1), due at once, `redriveCount` one higher.
 */
export function redrivenJobOf(jobBody: string): DecodeResult {
  const decoded = decodeDeliveryJob(jobBody);
  if (!decoded.ok) return decoded;
  const { attempt: _attempt, notBefore: _notBefore, ...job } = decoded.job;
  return { ok: true, job: { ...job, redriveCount: (job.redriveCount ?? 0) + 1 } };
}

/**
 * True for the first attempt of a job an operator sent back (redrive and resend both reset `attempt`
 * and raise `redriveCount`): that attempt is made even while the endpoint's breaker is open (see
 * `admitJob`). Its retries (attempt 2 on) follow the breaker like any other job's.
 */
export function isOperatorSentAttempt(job: Pick<DeliveryJob, 'attempt' | 'redriveCount'>): boolean {
  return job.redriveCount !== undefined && job.redriveCount > 0 && attemptOf(job) === 1;
}
