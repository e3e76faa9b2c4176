import { describe, expect, it } from 'vitest';
import type { CounterSnapshot } from '../../../../infra/local/counters';
import { startStatusLine } from '../../../../infra/local/statusLine';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    write(chunk: string | Uint8Array) {
      chunks.push(String(chunk));
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, chunks };
}

const figures = (events: number): CounterSnapshot => ({
  events,
  delivered: 0,
  retrying: 0,
  deadLettered: 0,
  mapperFailures: 0,
});
const nextTick = () => new Promise((r) => setTimeout(r, 40));

describe('npm start counters line', () => {
  it('on a terminal, rewrites one line and clears it before any other output', async () => {
    const out = fakeStream(true);
    const err = fakeStream(true);
    const originalWrite = out.stream.write;
    let events = 1;
    const line = startStatusLine(async () => figures(events), out.stream, 10, [err.stream]);
    await nextTick();
    expect(out.chunks.at(-1)).toBe('\r\x1b[2Kevents 1 · delivered 0 · retrying 0 · dead-lettered 0');

    out.chunks.length = 0;
    err.stream.write('a log line\n');
    expect(out.chunks).toEqual(['\r\x1b[2K']);
    expect(err.chunks).toEqual(['a log line\n']);

    events = 2;
    await nextTick();
    expect(out.chunks.at(-1)).toContain('events 2');
    line.stop();
    expect(out.chunks.at(-1)).toBe('\n');
    expect(out.stream.write).toBe(originalWrite);
  });

  it('elsewhere, prints plain lines and only when the figures changed', async () => {
    const out = fakeStream(false);
    const line = startStatusLine(async () => figures(3), out.stream, 10);
    await nextTick();
    await nextTick();
    line.stop();
    expect(out.chunks).toHaveLength(1);
    expect(out.chunks[0]).toMatch(
      /^\d{4}-\d\d-\d\dT.*Z events 3 · delivered 0 · retrying 0 · dead-lettered 0\n$/,
    );
  });
});
