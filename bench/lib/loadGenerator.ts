/** Writes CRM records at a rate or in a burst. */

import { type AttributeValue, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { seededRandom } from '../../test/helpers/seededRandom';
import { crmPerson, toImage } from '../fixtures/crmRecords';

export interface WriteResult {
  written: number;
  failed: number;
  /** Writes per second actually achieved between the first and the last write. */
  achievedRate: number;
  seconds: number;
}

/** Item templates of 1–4 KB; each write gets its own id. */
export function itemTemplates(count: number, seed = 7): Record<string, AttributeValue>[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) =>
    toImage(crmPerson(random, `template-${i}`, 1024 + Math.floor(random() * 3072))),
  ) as Record<string, AttributeValue>[];
}

/**
 * Writes new items at `rate` per second (open loop: the schedule does not slow down when writes do,
 * up to `concurrency` in flight) for `seconds`. `rate: Infinity` writes as fast as `concurrency`
 * allows. `onWrite(id, startedAt)` is called as each write is sent (performance.now() clock).
 */
export async function writeAtRate(options: {
  client: DynamoDBClient;
  table: string;
  rate: number;
  seconds: number;
  concurrency: number;
  idPrefix: string;
  templates: readonly Record<string, AttributeValue>[];
  onWrite?: (id: string, startedAt: number) => void;
}): Promise<WriteResult> {
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let issued = 0;
  let written = 0;
  let failed = 0;
  let inFlight = 0;
  let lastDone = started;
  let wake: (() => void) | undefined;

  const writeOne = async (n: number) => {
    const id = `${options.idPrefix}-${n}`;
    const template = options.templates[n % options.templates.length] as Record<string, AttributeValue>;
    const sentAt = performance.now();
    options.onWrite?.(id, sentAt);
    try {
      await options.client.send(
        new PutItemCommand({ TableName: options.table, Item: { ...template, id: { S: id } } }),
      );
      written++;
    } catch {
      failed++;
    } finally {
      inFlight--;
      lastDone = performance.now();
      wake?.();
    }
  };

  while (performance.now() < deadline) {
    const elapsed = performance.now() - started;
    const due = Number.isFinite(options.rate) ? Math.floor((elapsed / 1000) * options.rate) + 1 : Infinity;
    while (issued < due && inFlight < options.concurrency && performance.now() < deadline) {
      inFlight++;
      void writeOne(issued++);
    }
    // Sleep until the next write is due or a slot frees up.
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, Number.isFinite(options.rate) ? Math.max(1, Math.min(5, 1000 / options.rate)) : 5);
    });
    wake = undefined;
  }
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (lastDone - started) / 1000;
  return { written, failed, achievedRate: written / seconds, seconds };
}

/** Writes `count` new items at once (up to `concurrency` in flight): a burst, as a bulk import makes. */
export async function writeBurst(options: {
  client: DynamoDBClient;
  table: string;
  count: number;
  concurrency: number;
  idPrefix: string;
  templates: readonly Record<string, AttributeValue>[];
  onWrite?: (id: string, startedAt: number) => void;
}): Promise<number> {
  let next = 0;
  let written = 0;
  const worker = async () => {
    while (next < options.count) {
      const n = next++;
      const id = `${options.idPrefix}-${n}`;
      const template = options.templates[n % options.templates.length] as Record<string, AttributeValue>;
      options.onWrite?.(id, performance.now());
      try {
        await options.client.send(
          new PutItemCommand({ TableName: options.table, Item: { ...template, id: { S: id } } }),
        );
        written++;
      } catch {
        // Counted by the caller as a missing delivery.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  return written;
}
