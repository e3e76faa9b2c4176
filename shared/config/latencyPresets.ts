/**
 * One setting for the latency/cost trade-off of the pipeline: how long Lambda gathers records before
 * invoking the event mapper (stream side) and the delivery function (queue side). Used by the CDK stack
 * (`-c latencyPreset=…`) and by the local runtime (`LATENCY_PRESET=…`), so both run the same windows.
 *
 * Lambda takes MaximumBatchingWindowInSeconds in whole seconds, 0 to 300, default 0 for streams and SQS
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html), so the smallest
 * window that is not "none" is 1 s. With a window, Lambda waits until the batch is full, the window has
 * passed or the payload reaches 6 MB; without one it invokes as soon as records are available
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). At light traffic batches are
 * never full, so every job waits out each window it passes: the windows ARE the latency there.
 *
 * Measured trade-offs and the AWS latency model: docs/performance.md#latency-presets.
 */
export const LATENCY_PRESETS = ['realtime', 'balanced', 'economical'] as const;
export type LatencyPreset = (typeof LATENCY_PRESETS)[number];

/** Real time by default: a CRM writes a few records a second, where windows cost seconds and save cents. */
export const DEFAULT_LATENCY_PRESET: LatencyPreset = 'realtime';

export interface BatchingWindows {
  /** The DynamoDB stream event source's MaximumBatchingWindowInSeconds (event mapper). */
  mapperSeconds: number;
  /** The SQS event source's MaximumBatchingWindowInSeconds (delivery, every lane). */
  deliverySeconds: number;
}

const PRESET_WINDOWS: Record<LatencyPreset, BatchingWindows> = {
  // Invoke as soon as records are there. The stream side still gathers what one poll returns (Lambda
  // polls each shard four times a second), so a burst makes one mapper invocation, not one per record.
  realtime: { mapperSeconds: 0, deliverySeconds: 0 },
  // The queue side batches: full receives and deletes of 10 at high rates, where the SQS bill grows; the
  // stream side does not wait, because at high rates each poll already returns a full batch.
  balanced: { mapperSeconds: 0, deliverySeconds: 1 },
  // Both sides wait: the fewest requests per delivery at any rate, two seconds more at light traffic.
  economical: { mapperSeconds: 1, deliverySeconds: 1 },
};

/** The windows a preset stands for; an explicit window (from its own setting) wins over the preset's. */
export function batchingWindowsFor(
  preset: LatencyPreset,
  overrides: Partial<BatchingWindows> = {},
): BatchingWindows {
  const windows = PRESET_WINDOWS[preset];
  return {
    mapperSeconds: overrides.mapperSeconds ?? windows.mapperSeconds,
    deliverySeconds: overrides.deliverySeconds ?? windows.deliverySeconds,
  };
}
