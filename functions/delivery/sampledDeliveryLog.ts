/** The delivery log with the success sample rate applied (`DELIVERY_LOG_SUCCESS_SAMPLE_RATE`). */

import type { BatchRecordResult } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { keepsAttempt } from '../../shared/domain/delivery/attemptLogSampling';
import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import type { DeliveryDependencies } from './buildDeliveryHandler';

/**
 * The delivery log with `DELIVERY_LOG_SUCCESS_SAMPLE_RATE` applied: failed, skipped and dead-lettered
 * attempts are all written, successful ones with that probability. At 1 (the default) it is the log
 * itself.
 */
export function sampledDeliveryLog(
  log: DeliveryDependencies['deliveryLog'],
  successSampleRate: number,
  random: () => number = Math.random,
): DeliveryDependencies['deliveryLog'] {
  if (successSampleRate >= 1) return log;
  return {
    recordBatch(attempts: readonly DeliveryAttempt[], ttlDays: number): Promise<BatchRecordResult> {
      const kept = attempts.filter((attempt) => keepsAttempt(attempt.outcome, successSampleRate, random));
      return kept.length === 0 ? Promise.resolve({ unprocessed: [] }) : log.recordBatch(kept, ttlDays);
    },
  };
}
