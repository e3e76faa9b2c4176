import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type ReceivedRequest,
  type ScriptedResponse,
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { type Accounting, accountFor, type DeliveryLedger, pairKey } from './deliveryLedger';
import {
  type ReliabilityRuntime,
  type ReliabilityRuntimeOptions,
  startReliabilityRuntime,
  waitUntil,
} from './reliabilityRuntime';

/**
 * The setup the load scenarios (chaos delivery, crashes mid-batch, restart safety) share: sizes, the
 * runtime and receivers' lifecycle, webhooks with ledger receivers, CRM writes, the pairs expected and
 * the final accounting.
 */

/** The tables the scenarios write to (default CRM config: table name = object name). */
export const SOAK_TABLES = ['person', 'company', 'note'] as const;

/**
 * Sizes of the load scenarios: small in `npm test`, larger under `npm run test:soak`
 * (`SOAK_WRITES`, `SOAK_WEBHOOKS`; the deadline grows with them).
 */
export function soakSizes(fast: { writes: number; webhooks: number }): {
  writes: number;
  webhooks: number;
  timeoutMs: number;
} {
  const writes = Number(process.env.SOAK_WRITES ?? fast.writes);
  const webhooks = Number(process.env.SOAK_WEBHOOKS ?? fast.webhooks);
  if (!Number.isInteger(writes) || writes < 1 || !Number.isInteger(webhooks) || webhooks < 1) {
    throw new Error('SOAK_WRITES and SOAK_WEBHOOKS must be positive integers');
  }
  return { writes, webhooks, timeoutMs: 60_000 + writes * webhooks * 100 };
}

/** The seed of a randomized scenario: `CHAOS_SEED` replays a run, otherwise a new one (printed with the figures). */
export function scenarioSeed(): number {
  return Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
}

export interface SoakScenario {
  /** The runtime, started before the file's tests. */
  readonly rt: ReliabilityRuntime;
  /** Receivers the scenario starts; stopped with the runtime after the file's tests. */
  readonly receivers: SignatureVerifyingReceiver[];
}

/**
 * Starts a reliability runtime before the file's tests (`options` is called then, so it may set up
 * fault injection) and stops it and every receiver in `receivers` after them.
 */
export function useSoakRuntime(options: () => ReliabilityRuntimeOptions): SoakScenario {
  let rt: ReliabilityRuntime | undefined;
  const receivers: SignatureVerifyingReceiver[] = [];
  beforeAll(async () => {
    rt = await startReliabilityRuntime(options());
  }, 90_000);
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await rt?.stop();
  }, 60_000);
  return {
    get rt() {
      if (!rt) throw new Error('the reliability runtime starts in beforeAll');
      return rt;
    },
    receivers,
  };
}

/**
 * Creates `count` webhooks (all events) through the API, each pointing at its own signature-verifying
 * receiver whose answers come from `respond(webhookId, request)`. Receivers are pushed onto `receivers`
 * so the caller's afterAll can stop them. Returns the webhook ids, then waits for the mapper's webhook
 * cache (1 s in these runtimes) to see them all before the caller writes.
 */
export async function createLedgerWebhooks(
  rt: ReliabilityRuntime,
  receivers: SignatureVerifyingReceiver[],
  options: {
    count: number;
    respond: (webhookId: string, request: ReceivedRequest) => ScriptedResponse | undefined;
    description?: (index: number) => string;
  },
): Promise<string[]> {
  const webhookIds: string[] = [];
  for (let i = 0; i < options.count; i++) {
    let webhookId = '';
    const receiver = await startSignatureVerifyingReceiver({
      responder: (request) => options.respond(webhookId, request),
    });
    receivers.push(receiver);
    const created = await rt.api<{ id: string; secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
      ...(options.description ? { description: options.description(i) } : {}),
    });
    expect(created.status, created.text).toBe(201);
    webhookId = created.body.id;
    webhookIds.push(webhookId);
    receiver.setSecrets([created.body.secret]);
  }
  await new Promise((r) => setTimeout(r, 1_500));
  return webhookIds;
}

export interface WrittenRecord {
  table: string;
  /** The object the table holds: its events are `<object>.created`. */
  object: string;
  id: string;
  /** When the write returned (epoch ms). */
  writtenAt: number;
}

/**
 * Creates `count` CRM records spread round-robin over `tables` (default config: table name = object
 * name), `concurrency` writes at a time; ids are `<idPrefix>-<n>` from `startAt`.
 */
export async function writeCrmRecords(
  dynamo: DynamoDBClient,
  {
    count,
    tables,
    idPrefix,
    concurrency = 16,
    startAt = 0,
  }: { count: number; tables: readonly string[]; idPrefix: string; concurrency?: number; startAt?: number },
): Promise<WrittenRecord[]> {
  const records: WrittenRecord[] = Array.from({ length: count }, (_, i) => {
    const table = tables[(startAt + i) % tables.length] as string;
    return { table, object: table, id: `${idPrefix}-${startAt + i}`, writtenAt: 0 };
  });
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++] as WrittenRecord;
      await dynamo.send(
        new PutItemCommand({
          TableName: record.table,
          Item: {
            id: { S: record.id },
            name: { S: `Record ${record.id}` },
            score: { N: String(next) },
          },
        }),
      );
      record.writtenAt = Date.now();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return records;
}

/** Every (webhook, `<object>.created`, record) pair the writes should deliver. */
export function expectedCreatedPairs(
  written: readonly WrittenRecord[],
  webhookIds: readonly string[],
): Set<string> {
  return new Set(
    written.flatMap((record) => webhookIds.map((id) => pairKey(id, `${record.object}.created`, record.id))),
  );
}

/** Waits until the queue is empty and every expected pair is delivered or dead-lettered. */
export async function waitUntilSettled(
  rt: ReliabilityRuntime,
  ledger: DeliveryLedger,
  expectedPairs: ReadonlySet<string>,
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    async () => {
      await rt.runtime.refreshCounters();
      return {
        delivered: ledger.deliveredPairs().size,
        deadLettered: rt.runtime.counters.snapshot().deadLettered,
        outstanding: await rt.deliveriesOutstanding(),
      };
    },
    (s) => s.outstanding === 0 && s.delivered + s.deadLettered >= expectedPairs.size,
    timeoutMs,
    `all ${expectedPairs.size} pairs delivered or dead-lettered`,
  );
}

/** Drains the dead-letter queue, reads every webhook's attempts and accounts for the run (`accountFor`). */
export async function accountForRun(
  rt: ReliabilityRuntime,
  ledger: DeliveryLedger,
  webhookIds: readonly string[],
  expectedPairs: ReadonlySet<string>,
): Promise<{ figures: Accounting; attempts: Awaited<ReturnType<ReliabilityRuntime['attemptsOf']>> }> {
  const deadLetters = await rt.drainDeadLetters();
  const attempts = (await Promise.all(webhookIds.map((id) => rt.attemptsOf(id)))).flat();
  return { figures: accountFor({ ledger, expectedPairs, deadLetters, attempts }), attempts };
}
