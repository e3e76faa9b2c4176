import { type DecodeResult, decodeDeliveryJob } from './deliveryJob';

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
