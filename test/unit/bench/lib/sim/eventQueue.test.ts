import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../../../bench/lib/sim/eventQueue';
import { seededRandom } from '../../../../../bench/lib/sim/seededRandom';

describe('EventQueue', () => {
  it('runs events in time order, ties in the order they were scheduled, and advances the clock', () => {
    const events = new EventQueue();
    const random = seededRandom(1);
    const seen: { at: number; order: number }[] = [];
    for (let order = 0; order < 5000; order += 1) {
      const at = Math.floor(random() * 100);
      events.at(at, () => seen.push({ at: events.now, order }));
    }
    events.runUntil(1000);
    expect(seen).toHaveLength(5000);
    for (let i = 1; i < seen.length; i += 1) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.at < b.at || (a.at === b.at && a.order < b.order)).toBe(true);
    }
    expect(events.now).toBe(1000);
  });

  it('leaves events after the end pending and never schedules into the past', () => {
    const events = new EventQueue();
    let ran = 0;
    events.at(50, () => {
      events.at(10, () => {
        ran += 1;
        expect(events.now).toBe(50);
      });
    });
    events.at(200, () => {
      ran += 100;
    });
    events.runUntil(100);
    expect(ran).toBe(1);
    expect(events.size).toBe(1);
  });
});
