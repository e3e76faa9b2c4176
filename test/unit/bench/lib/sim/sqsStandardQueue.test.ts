import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../../../bench/lib/sim/eventQueue';
import { MAX_DELAY_SECONDS, SqsStandardQueue } from '../../../../../bench/lib/sim/sqsStandardQueue';

function queue(inFlightQuota?: number) {
  const events = new EventQueue();
  const q = new SqsStandardQueue<number>('q', events, {
    visibilityTimeoutSeconds: 30,
    ...(inFlightQuota === undefined ? {} : { inFlightQuota }),
  });
  return { events, q };
}

const send = (q: SqsStandardQueue<number>, count: number, delaySeconds = 0) =>
  q.sendBatch(Array.from({ length: count }, (_, body) => ({ body, delaySeconds })));

describe('SqsStandardQueue', () => {
  it('returns at most 10 messages per receive and counts one request per 10 entries sent', () => {
    const { q } = queue();
    send(q, 25);
    expect(q.counters.sendRequests).toBe(3);
    const first = q.receive(10);
    expect(first.kind === 'messages' && first.messages.length).toBe(10);
    const asked = q.receive(50);
    expect(asked.kind === 'messages' && asked.messages.length).toBe(10);
    expect(q.inFlight).toBe(20);
  });

  it('fails receives with OverLimit while the in-flight quota is reached, and serves again once messages are deleted', () => {
    const { q } = queue(15);
    send(q, 30);
    const a = q.receive(10);
    const b = q.receive(10);
    expect(b.kind === 'messages' && b.messages.length).toBe(5); // only room for 5 more
    expect(q.receive(10)).toEqual({ kind: 'over-limit' });
    expect(q.counters.overLimitReceives).toBe(1);
    if (a.kind !== 'messages') throw new Error('expected messages');
    q.deleteBatch(a.messages);
    expect(q.inFlight).toBe(5);
    const c = q.receive(10);
    expect(c.kind === 'messages' && c.messages.length).toBe(10);
    expect(q.counters.peakInFlight).toBe(15);
  });

  it('rejects DelaySeconds above 900 and keeps a delayed message invisible until its delay is over', () => {
    const { events, q } = queue();
    expect(() => send(q, 1, MAX_DELAY_SECONDS + 1)).toThrow(RangeError);
    expect(() => send(q, 1, 1.5)).toThrow(RangeError);
    send(q, 1, MAX_DELAY_SECONDS);
    events.runUntil(MAX_DELAY_SECONDS * 1000 - 1);
    expect(q.visibleCount).toBe(0);
    events.runUntil(MAX_DELAY_SECONDS * 1000);
    expect(q.visibleCount).toBe(1);
  });

  it('makes a received message visible again when its visibility timeout ends undeleted', () => {
    const { events, q } = queue();
    send(q, 2);
    const received = q.receive(10);
    if (received.kind !== 'messages') throw new Error('expected messages');
    q.deleteBatch([received.messages[0]!]);
    events.runUntil(29_999);
    expect(q.visibleCount).toBe(0);
    events.runUntil(30_000);
    expect(q.visibleCount).toBe(1);
    expect(q.inFlight).toBe(0);
    const again = q.receive(10);
    expect(again.kind === 'messages' && again.messages[0]?.receiveCount).toBe(2);
  });
});
