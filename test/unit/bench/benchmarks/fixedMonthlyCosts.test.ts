import { beforeAll, describe, expect, it } from 'vitest';
import {
  customMetricCounts,
  dynamoDbItemBytes,
  fixedMonthlyCosts,
  type MonitoringInventory,
  monitoringInventory,
  perMillionDeliveryExtras,
  TYPICAL_ATTEMPT_ITEM,
} from '../../../../bench/benchmarks/fixedMonthlyCosts';

let inventory: MonitoringInventory;
const metrics = customMetricCounts();

beforeAll(() => {
  inventory = monitoringInventory();
}, 180_000);

describe('fixed monthly cost model', () => {
  it('counts the alarms and the dashboard of the synthesized stack', () => {
    expect(inventory.dashboards).toBe(1);
    expect(inventory.alarmMetrics).toBeGreaterThanOrEqual(10);
    expect(metrics.steady).toBeGreaterThan(0);
    expect(metrics.upperBound).toBeGreaterThan(metrics.steady);
  });

  it('envelope mode pays for one secret whatever the number of webhooks; per-webhook mode for each', () => {
    for (const webhooks of [10, 1_000, 100_000]) {
      expect(fixedMonthlyCosts(webhooks, 'envelope', inventory, metrics).secrets).toBeCloseTo(0.4);
      expect(fixedMonthlyCosts(webhooks, 'per-webhook', inventory, metrics).secrets).toBeCloseTo(
        0.4 * webhooks,
      );
    }
  });

  it('meets the target: at most $25 a month at 10,000 webhooks in the default mode', () => {
    const costs = fixedMonthlyCosts(10_000, 'envelope', inventory, metrics);
    expect(costs.total).toBeLessThanOrEqual(25);
    expect(costs.attemptLogPitr).toBe(0);
    expect(fixedMonthlyCosts(10_000, 'per-webhook', inventory, metrics).total).toBeGreaterThan(4_000);
  });

  it('PITR and the success sample rate change the attempt log as configured', () => {
    const base = fixedMonthlyCosts(10_000, 'envelope', inventory, metrics);
    const withPitr = fixedMonthlyCosts(10_000, 'envelope', inventory, metrics, { pointInTimeRecovery: true });
    expect(withPitr.attemptLogPitr).toBeCloseTo(base.attemptLogStorage * (0.2 / 0.25));
    const sampled = fixedMonthlyCosts(10_000, 'envelope', inventory, metrics, { successSampleRate: 0.1 });
    expect(sampled.attemptLogStorage).toBeCloseTo(base.attemptLogStorage / 10);
    expect(perMillionDeliveryExtras({ pointInTimeRecovery: true }).attemptLogPitr).toBeGreaterThan(0);
    expect(perMillionDeliveryExtras().attemptLogPitr).toBe(0);
  });

  it('sizes DynamoDB items as attribute names plus values', () => {
    expect(dynamoDbItemBytes({ ab: 'xyz' })).toBe(5);
    expect(dynamoDbItemBytes({ n: 1234 })).toBe(1 + 3);
    const bytes = dynamoDbItemBytes(TYPICAL_ATTEMPT_ITEM);
    expect(bytes).toBeGreaterThan(250);
    expect(bytes).toBeLessThan(450);
  });
});
