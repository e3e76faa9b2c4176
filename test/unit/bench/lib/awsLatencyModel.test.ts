import { describe, expect, it } from 'vitest';
import { type MeasuredDurations, modelAwsLatency } from '../../../../bench/lib/awsLatencyModel';
import { batchingWindowsFor } from '../../../../shared/config/latencyPresets';

const durations: MeasuredDurations = {
  mapperBaseMs: 8,
  mapperPerRecordMs: 0.3,
  deliveryToPostMs: 5,
  deliveryBaseMs: 15,
  deliveryPerJobMs: 1,
};
const model = (preset: 'realtime' | 'balanced' | 'economical', writesPerSecond: number) =>
  modelAwsLatency({ writesPerSecond, windows: batchingWindowsFor(preset), durations, maxPollers: 100 });

describe('AWS latency model', () => {
  it('realtime at light traffic: Lambda polls each shard 4 times a second, so about half a poll plus the hops', () => {
    const light = model('realtime', 1);
    // Half of 250 ms of polling + 20-80 ms to the stream + ~60 ms of invocations and requests.
    expect(light.p50Ms).toBeGreaterThan(150);
    expect(light.p50Ms).toBeLessThan(350);
    // At worst a whole poll interval.
    expect(light.p99Ms).toBeLessThan(500);
    // Poisson writes: about one in five polls finds two records.
    expect(light.mapperRecordsPerInvocation).toBeLessThan(1.3);
  });

  it('each 1 s window is waited out in full at light traffic: balanced about 1 s more, economical about 2 s', () => {
    const realtime = model('realtime', 1).p50Ms;
    expect(model('balanced', 1).p50Ms - realtime).toBeGreaterThan(900);
    expect(model('balanced', 1).p50Ms - realtime).toBeLessThan(1_100);
    expect(model('economical', 1).p50Ms - realtime).toBeGreaterThan(1_800);
    expect(model('economical', 1).p50Ms - realtime).toBeLessThan(2_200);
  });

  it('windows buy full batches: at 100 writes/s economical is near 0.3 SQS requests per delivery, realtime well above', () => {
    const economical = model('economical', 100);
    expect(economical.sqsPerDelivery).toBeLessThanOrEqual(0.35);
    expect(economical.deliveryJobsPerInvocation).toBeGreaterThan(9);
    expect(model('realtime', 100).sqsPerDelivery).toBeGreaterThan(economical.sqsPerDelivery + 0.2);
    expect(model('realtime', 100).usdPerMillionDeliveries).toBeGreaterThan(
      economical.usdPerMillionDeliveries,
    );
  });

  it('is deterministic for a seed', () => {
    expect(model('balanced', 10)).toEqual(model('balanced', 10));
  });
});
