import { describe, expect, it } from 'vitest';
import { keptPace, type StepOutcome, sustainedRate, unloadedP95 } from '../../../../bench/lib/sustainedRate';

const step = (overrides: Partial<StepOutcome> = {}): StepOutcome => ({
  writtenPerSecond: 500,
  drained: true,
  windowP95Ms: [800, 850, 900],
  drainSeconds: 1.2,
  ...overrides,
});

describe('keptPace', () => {
  it('accepts a step delivered in full with flat latency, however high', () => {
    expect(keptPace(step(), 800)).toBe(true);
    expect(keptPace(step({ windowP95Ms: [1500, 1600, 1550], drainSeconds: 2.5 }), 800)).toBe(true);
  });

  it('rejects a step whose latency climbs from its start to its end (a growing backlog)', () => {
    expect(keptPace(step({ windowP95Ms: [800, 1600, 2600], drainSeconds: 2.6 }), 800)).toBe(false);
  });

  it('rejects a step whose latency is flat but far above the unloaded latency (a backlog that stayed)', () => {
    expect(keptPace(step({ windowP95Ms: [4100, 4100, 3400], drainSeconds: 3.5 }), 800)).toBe(false);
  });

  it('rejects a step that was not delivered in full or drained long after the last write', () => {
    expect(keptPace(step({ drained: false }), 800)).toBe(false);
    expect(keptPace(step({ drainSeconds: 8 }), 800)).toBe(false);
  });
});

describe('sustainedRate', () => {
  it('is the highest written rate among steps kept pace with', () => {
    const steps = [
      step({ writtenPerSecond: 200 }),
      step({ writtenPerSecond: 400 }),
      step({ writtenPerSecond: 600, windowP95Ms: [900, 2000, 4000], drainSeconds: 4 }),
    ];
    expect(unloadedP95(steps)).toBe(900);
    expect(sustainedRate(steps)).toBe(400);
    expect(sustainedRate([step({ drained: false })])).toBe(0);
  });
});
