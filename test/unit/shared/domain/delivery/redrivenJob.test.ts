import { describe, expect, it } from 'vitest';
import { decodeDeliveryJob, encodeDeliveryJob } from '../../../../../shared/domain/delivery/deliveryJob';
import { isOperatorSentAttempt, redrivenJobOf } from '../../../../../shared/domain/delivery/redrivenJob';
import { deliveryJobBody } from '../../../../helpers/sqsEvents';

function redriven(body: string) {
  const result = redrivenJobOf(body);
  if (!result.ok) throw new Error(result.error);
  return result.job;
}

describe('redrivenJobOf', () => {
  it('starts the attempts afresh, due at once, with redriveCount one higher', () => {
    const dead = deliveryJobBody('wh_1', undefined, { attempt: 10, notBefore: 123 });
    const once = redriven(dead);
    expect([once.attempt, once.notBefore, once.redriveCount]).toEqual([undefined, undefined, 1]);
    const twice = redriven(encodeDeliveryJob({ ...once, attempt: 4 }));
    expect(twice.redriveCount).toBe(2);
    const original = decodeDeliveryJob(dead);
    expect(original.ok && original.job.deliveryId).toBe(twice.deliveryId);
  });
});

describe('isOperatorSentAttempt', () => {
  it('is true only for the first attempt of a redriven or resent job', () => {
    const job = redriven(deliveryJobBody('wh_1'));
    expect(isOperatorSentAttempt(job)).toBe(true);
    expect(isOperatorSentAttempt({ ...job, attempt: 1 })).toBe(true);
    expect(isOperatorSentAttempt({ ...job, attempt: 2 })).toBe(false);
    expect(isOperatorSentAttempt({ attempt: undefined, redriveCount: undefined })).toBe(false);
    expect(isOperatorSentAttempt({ attempt: 1, redriveCount: 0 })).toBe(false);
  });
});
