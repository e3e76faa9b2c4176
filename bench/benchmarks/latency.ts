/**
 * Benchmark: write → POST latency per latency preset on the local runtime, hop by hop, and requests per
 * delivery.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseStackSettings } from '../../infra/cdk/stackSettings';
import { importProductHandlers, type LocalRuntime, startLocalRuntime } from '../../infra/local/localRuntime';
import { readLocalSettings } from '../../infra/local/localSettings';
import {
  batchingWindowsFor,
  DEFAULT_LATENCY_PRESET,
  LATENCY_PRESETS,
  type LatencyPreset,
} from '../../shared/config/latencyPresets';
import {
  AWS_ASSUMPTIONS,
  type MeasuredDurations,
  type ModelResult,
  modelAwsLatency,
} from '../lib/awsLatencyModel';
import {
  type AwsRequestCounter,
  countsBetween,
  type RequestCounts,
  startAwsRequestCounter,
  tagAsBenchTraffic,
  totalFor,
} from '../lib/awsRequestCounter';
import { startBareRelay } from '../lib/bareRelay';
import { HopRecorder, type InvocationTiming, type RecordHops } from '../lib/hopRecorder';
import { itemTemplates, writeAtRate, writeBurst } from '../lib/loadGenerator';
import { pairedFigure, quantile } from '../lib/stats';
import { filterStderr } from '../lib/stderrFilter';
import type { Benchmark, BenchOptions, Figure, Progress } from '../lib/types';
import { RELAY_PATH, VerifyingReceiver } from '../lib/verifyingReceiver';
import { costFromCounts } from './costModel';
import { withOwnDynamoDbLocal } from './endToEnd';

const CRM_TABLE = 'person';
/** The delivery function's production cache TTL, as in the e2e benchmark. */
const WEBHOOK_CACHE_TTL_SECONDS = 5;
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** Quiet time between phases, so each starts from an idle pipeline (pollers at their idle rate). */
const QUIET_BETWEEN_PHASES_MS = 1_500;
/** Receive loops of the bare relay: as many as a delivery lane of the local runtime keeps when idle. */
const RELAY_CONSUMERS = 5;

/** The issue's targets, for the default preset on the local stack and for `economical`'s request count. */
const LATENCY_TARGETS = {
  lightP50Ms: 300,
  lightP95Ms: 800,
  rate100P99Ms: 1_000,
  economicalSqsPerDeliveryAt100: 0.32,
} as const;

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export type PhaseKey = 'rate1' | 'rate4' | 'burst' | 'rate100';

interface PhasePlan {
  key: PhaseKey;
  label: string;
  /** Writes per second, or bursts of `burstSize` every `burstEverySeconds`. */
  rate?: number;
  seconds?: number;
  bursts?: number;
  burstSize?: number;
  burstEverySeconds?: number;
}

/** Per-hop medians and 95th percentiles (ms), over the phase's records. */
export type HopBreakdown = Record<
  'streamToMapper' | 'mapperToQueue' | 'queueToReceive' | 'receiveToInvoke' | 'invokeToPost',
  { p50: number; p95: number }
>;

export interface LatencyPhaseResult {
  preset: LatencyPreset | 'bare relay';
  key: PhaseKey;
  label: string;
  written: number;
  delivered: number;
  latencyMs: Percentiles;
  hops?: HopBreakdown;
  /** Requests over the steady window (from 20 % of the writes to the last delivery) and its deliveries. */
  requests: RequestCounts;
  deliveries: number;
  sqsPerDelivery: number;
  dynamodbPerDelivery: number;
  /** Stream reads (free when Lambda reads them) per delivery, for the record. */
  streamReadsPerDelivery: number;
  invocations: { eventMapper: number; delivery: number };
  usdPerMillionDeliveries?: number;
  mapperInvocations?: InvocationTiming[];
  deliveryInvocations?: InvocationTiming[];
}

function percentiles(values: readonly number[]): Percentiles {
  return { p50: quantile(values, 0.5), p95: quantile(values, 0.95), p99: quantile(values, 0.99) };
}

function phasePlans(options: BenchOptions): PhasePlan[] {
  if (options.smoke) {
    return [
      { key: 'rate1', label: '1 write/s', rate: 1, seconds: 3 },
      { key: 'rate4', label: '4 writes/s', rate: 4, seconds: 2 },
      { key: 'burst', label: 'bursts of 10', bursts: 1, burstSize: 10, burstEverySeconds: 1 },
      { key: 'rate100', label: '100 writes/s', rate: 100, seconds: 1 },
    ];
  }
  const d = options.durationSeconds;
  return [
    { key: 'rate1', label: '1 write/s', rate: 1, seconds: Math.max(20, 7 * d) },
    { key: 'rate4', label: '4 writes/s', rate: 4, seconds: Math.max(10, 4 * d) },
    { key: 'burst', label: 'bursts of 25 every 3 s', bursts: 4, burstSize: 25, burstEverySeconds: 3 },
    { key: 'rate100', label: '100 writes/s', rate: 100, seconds: Math.max(10, 3 * d) },
  ];
}

function hopBreakdown(
  ids: readonly string[],
  writes: Map<string, number>,
  receipts: Map<string, number>,
  hops: Map<string, RecordHops>,
): HopBreakdown {
  const lists = {
    streamToMapper: [] as number[],
    mapperToQueue: [] as number[],
    queueToReceive: [] as number[],
    receiveToInvoke: [] as number[],
    invokeToPost: [] as number[],
  };
  for (const id of ids) {
    const h = hops.get(id);
    const written = writes.get(id);
    const received = receipts.get(id);
    if (!h || written === undefined || received === undefined) continue;
    if (h.mapperInvoked !== undefined) lists.streamToMapper.push(h.mapperInvoked - written);
    if (h.mapperInvoked !== undefined && h.enqueued !== undefined)
      lists.mapperToQueue.push(h.enqueued - h.mapperInvoked);
    if (h.enqueued !== undefined && h.firstReceived !== undefined)
      lists.queueToReceive.push(h.firstReceived - h.enqueued);
    if (h.firstReceived !== undefined && h.deliveryInvoked !== undefined)
      lists.receiveToInvoke.push(h.deliveryInvoked - h.firstReceived);
    if (h.deliveryInvoked !== undefined) lists.invokeToPost.push(received - h.deliveryInvoked);
  }
  const summary = (values: number[]) => ({ p50: quantile(values, 0.5), p95: quantile(values, 0.95) });
  return {
    streamToMapper: summary(lists.streamToMapper),
    mapperToQueue: summary(lists.mapperToQueue),
    queueToReceive: summary(lists.queueToReceive),
    receiveToInvoke: summary(lists.receiveToInvoke),
    invokeToPost: summary(lists.invokeToPost),
  };
}

/**
 * Runs the phases against one target: a preset's local runtime (writes to its `person` table, one
 * webhook) or the bare relay (its own table). Every phase waits until all its deliveries arrived and
 * the pipeline was quiet for a moment, so the next starts from idle pollers.
 */
class PhaseRunner {
  constructor(
    private readonly input: {
      name: LatencyPreset | 'bare relay';
      client: DynamoDBClient;
      table: string;
      receiver: VerifyingReceiver;
      webhook: number;
      counter: AwsRequestCounter;
      progress: Progress;
      recorder?: HopRecorder;
    },
  ) {}

  private readonly templates = itemTemplates(50);
  /** Each run writes new ids: rewriting an identical item is a MODIFY with no change, which makes no event. */
  private runs = 0;

  async run(plan: PhasePlan): Promise<LatencyPhaseResult> {
    const { receiver, recorder, counter } = this.input;
    const writes = new Map<string, number>();
    const onWrite = (id: string, at: number) => writes.set(id, at);
    const prefix = `${this.input.name.replace(' ', '-')}-${this.runs++}-${plan.key}`;
    const firstReceipt = receiver.receipts.length;
    const mapperBefore = recorder?.mapperInvocations.length ?? 0;
    const deliveryBefore = recorder?.deliveryInvocations.length ?? 0;
    let steadyCounts: RequestCounts = counter.snapshot();
    let steadyReceipts = firstReceipt;
    let written = 0;
    this.input.progress.stage(`latency: ${this.input.name}: ${plan.label}`);
    if (plan.rate !== undefined && plan.seconds !== undefined) {
      const steadyTimer = setTimeout(() => {
        steadyCounts = counter.snapshot();
        steadyReceipts = receiver.receipts.length;
      }, plan.seconds * 200);
      const result = await writeAtRate({
        client: this.input.client,
        table: this.input.table,
        rate: plan.rate,
        seconds: plan.seconds,
        concurrency: 32,
        idPrefix: prefix,
        templates: this.templates,
        onWrite,
      });
      clearTimeout(steadyTimer);
      written = result.written;
    } else {
      for (let burst = 0; burst < (plan.bursts ?? 1); burst++) {
        const started = performance.now();
        written += await writeBurst({
          client: this.input.client,
          table: this.input.table,
          count: plan.burstSize ?? 10,
          concurrency: 32,
          idPrefix: `${prefix}-${burst}`,
          templates: this.templates,
          onWrite,
        });
        const rest = (plan.burstEverySeconds ?? 1) * 1000 - (performance.now() - started);
        if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    }
    const mine = () =>
      receiver.receipts
        .slice(firstReceipt)
        .filter((r) => writes.has(r.recordId) && r.webhook === this.input.webhook);
    let lastCount = -1;
    let lastChange = performance.now();
    while (performance.now() - lastChange < 15_000) {
      const count = mine().length;
      if (count !== lastCount) {
        lastCount = count;
        lastChange = performance.now();
      }
      if (count >= writes.size) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const endCounts = counter.snapshot();
    const endReceipts = receiver.receipts.length;
    const receipts = new Map(mine().map((r) => [r.recordId, r.receivedAt]));
    const latencies = [...receipts].map(([id, at]) => at - (writes.get(id) as number));
    const requests = countsBetween(steadyCounts, endCounts);
    const deliveries = endReceipts - steadyReceipts;
    const perDelivery = (n: number) => (deliveries > 0 ? n / deliveries : Number.NaN);
    const mapperInvocations = recorder?.mapperInvocations.slice(mapperBefore) ?? [];
    const deliveryInvocations = recorder?.deliveryInvocations.slice(deliveryBefore) ?? [];
    const billed = (list: InvocationTiming[]) => list.reduce((ms, i) => ms + Math.ceil(i.durationMs), 0);
    const result: LatencyPhaseResult = {
      preset: this.input.name,
      key: plan.key,
      label: plan.label,
      written,
      delivered: receipts.size,
      latencyMs: percentiles(latencies),
      requests,
      deliveries,
      sqsPerDelivery: perDelivery(totalFor(requests, 'sqs')),
      dynamodbPerDelivery: perDelivery(totalFor(requests, 'dynamodb')),
      streamReadsPerDelivery: perDelivery(requests['dynamodbStreams.GetRecords'] ?? 0),
      invocations: { eventMapper: mapperInvocations.length, delivery: deliveryInvocations.length },
    };
    if (recorder) {
      result.hops = hopBreakdown([...receipts.keys()], writes, receipts, recorder.hops);
      result.mapperInvocations = mapperInvocations;
      result.deliveryInvocations = deliveryInvocations;
      result.usdPerMillionDeliveries = costFromCounts({
        requests,
        requestDeliveries: deliveries,
        invocations: {
          eventMapper: { invocations: mapperInvocations.length, billedMs: billed(mapperInvocations) },
          delivery: { invocations: deliveryInvocations.length, billedMs: billed(deliveryInvocations) },
        },
        invocationDeliveries: receipts.size,
      }).total;
    }
    this.input.progress.stage(
      `latency: ${this.input.name}: ${plan.label}: ${receipts.size}/${written} delivered, p50 ${result.latencyMs.p50.toFixed(0)} ms, p95 ${result.latencyMs.p95.toFixed(0)} ms, p99 ${result.latencyMs.p99.toFixed(0)} ms, SQS ${result.sqsPerDelivery.toFixed(2)}/delivery`,
    );
    await new Promise((resolve) => setTimeout(resolve, QUIET_BETWEEN_PHASES_MS));
    return result;
  }
}

/** The local runtime as `npm start` runs it (default preset), its handlers wrapped to time each hop. */
async function startRuntime(recorder: HopRecorder): Promise<LocalRuntime> {
  const settings = readLocalSettings({
    PORT: '0',
    DYNAMODB_PORT: '0',
    SQS_PORT: '0',
    SECRETS_MANAGER_PORT: '0',
    AWS_REGION: 'us-east-1',
  });
  return startLocalRuntime(
    settings,
    async () => {
      const handlers = await importProductHandlers();
      return {
        api: handlers.api,
        eventMapper: recorder.wrapMapper(handlers.eventMapper),
        delivery: recorder.wrapDelivery(handlers.delivery),
      };
    },
    { env: { ...process.env, WEBHOOK_CACHE_TTL_SECONDS: String(WEBHOOK_CACHE_TTL_SECONDS) } },
  );
}

async function createWebhook(
  runtime: LocalRuntime,
  receiver: VerifyingReceiver,
  receiverUrl: string,
  index: number,
): Promise<void> {
  const response = await fetch(`${runtime.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${runtime.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ targetUrl: `${receiverUrl}/hook/${index}`, operations: ['person.*'] }),
  });
  if (response.status !== 201)
    throw new Error(`creating a webhook answered ${response.status}: ${await response.text()}`);
  receiver.setSecret(index, ((await response.json()) as { secret: string }).secret);
}

/** Everything one preset's runtime measured. */
export interface PresetResult {
  preset: LatencyPreset;
  windows: { mapperSeconds: number; deliverySeconds: number };
  phases: LatencyPhaseResult[];
}

function phaseOf(result: PresetResult | LatencyPhaseResult[], key: PhaseKey): LatencyPhaseResult {
  const phases = Array.isArray(result) ? result : result.phases;
  const phase = phases.find((p) => p.key === key);
  if (!phase) throw new Error(`no ${key} phase`);
  return phase;
}

/** Light traffic, bursts and 100 writes/s through each latency preset on the local stack, with per-hop times. */
export const latency: Benchmark = {
  name: 'latency',
  description:
    'latency presets on the local runtime: 1 and 4 writes/s, bursts, 100 writes/s; per-hop times, requests per delivery',
  fastInSmoke: false,
  async run({ options, progress }) {
    const emptyMetricsWarnings = filterStderr('No application metrics to publish');
    const counter = startAwsRequestCounter();
    const receiver = new VerifyingReceiver();
    const receiverUrl = await receiver.start();
    const plans = phasePlans(options);
    const presets: PresetResult[] = [];
    progress.stage(
      'latency: starting the local runtime (DynamoDB Local, fauxqs, Secrets Manager, pollers, API)',
    );
    const recorder = new HopRecorder();
    const runtime = await startRuntime(recorder);
    const client = new DynamoDBClient({
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      endpoint: runtime.dynamoDbEndpoint,
      maxAttempts: 1,
    });
    tagAsBenchTraffic(client);
    const sqs = new SQSClient({
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      endpoint: runtime.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
    });
    tagAsBenchTraffic(sqs);
    try {
      // The baseline: the same hops with no product code and no windows, on the runtime's SQS and a
      // DynamoDB Local of its own (stream records left in the pipeline's would slow its reads).
      const relay = await withOwnDynamoDbLocal(async ({ dynamoDb, streams }) => {
        const bare = await startBareRelay({
          dynamoDb,
          streams,
          sqs,
          targetUrl: `${receiverUrl}${RELAY_PATH}`,
          // The receive loops a delivery lane keeps running (Lambda's five initial pollers).
          consumers: RELAY_CONSUMERS,
        });
        try {
          const relayRunner = new PhaseRunner({
            name: 'bare relay',
            client: dynamoDb,
            table: bare.table,
            receiver,
            webhook: -1,
            counter,
            progress,
          });
          const results: LatencyPhaseResult[] = [];
          for (const plan of plans.filter((p) => p.key === 'rate4' || p.key === 'rate100'))
            results.push(await relayRunner.run(plan));
          return results;
        } finally {
          await bare.stop();
        }
      });

      await createWebhook(runtime, receiver, receiverUrl, 0);
      for (const preset of LATENCY_PRESETS) {
        // Like updating both event source mappings' MaximumBatchingWindowInSeconds.
        const windows = batchingWindowsFor(preset);
        await runtime.pausePollers();
        runtime.resumePollers({
          mapperBatchingWindowMs: windows.mapperSeconds * 1000,
          deliveryBatchingWindowMs: windows.deliverySeconds * 1000,
        });
        const runner = new PhaseRunner({
          name: preset,
          client,
          table: CRM_TABLE,
          receiver,
          webhook: 0,
          counter,
          progress,
          recorder,
        });
        // Warm caches and connections first: a lone first write measures a cold start, which the AWS
        // model accounts for separately.
        await runner.run({ key: 'rate1', label: 'warm-up', rate: 2, seconds: 2 });
        const phases: LatencyPhaseResult[] = [];
        for (const plan of plans) phases.push(await runner.run(plan));
        presets.push({ preset, windows, phases });
      }
      return buildReport(presets, relay, receiver);
    } finally {
      client.destroy();
      sqs.destroy();
      await runtime.stop();
      counter.stop();
      await receiver.stop();
      emptyMetricsWarnings.restore();
    }
  },
};

function buildReport(presets: PresetResult[], relay: LatencyPhaseResult[], receiver: VerifyingReceiver) {
  const relayLight = phaseOf(relay, 'rate4');
  const relayHeavy = phaseOf(relay, 'rate100');
  const figures: Figure[] = [];
  const defaults = presets.find((p) => p.preset === DEFAULT_LATENCY_PRESET);
  const latencyFigure = (result: PresetResult, key: PhaseKey, p: keyof Percentiles, threshold?: number) => {
    const phase = phaseOf(result, key);
    const base = key === 'rate100' ? relayHeavy : relayLight;
    return pairedFigure({
      id: `latency.${result.preset}.${key}.${p}`,
      benchmark: 'latency',
      title: `Latency ${p}, ${result.preset}, ${phase.label}`,
      unit: 'ms',
      higherIsBetter: false,
      values: [phase.latencyMs[p]],
      baseline: {
        title: `bare relay (same hops, no product code, no windows) @ ${base.label}`,
        values: [base.latencyMs[p]],
      },
      unpaired: true,
      ...(threshold === undefined
        ? {}
        : { target: { on: 'value' as const, comparison: '<=' as const, threshold } }),
      notes: `Write sent → signed POST verified; ${phase.delivered}/${phase.written} delivered. Windows: stream ${result.windows.mapperSeconds} s, deliveries ${result.windows.deliverySeconds} s.`,
    });
  };
  if (defaults) {
    for (const key of ['rate1', 'rate4'] as const) {
      figures.push(latencyFigure(defaults, key, 'p50', LATENCY_TARGETS.lightP50Ms));
      figures.push(latencyFigure(defaults, key, 'p95', LATENCY_TARGETS.lightP95Ms));
    }
    figures.push(latencyFigure(defaults, 'burst', 'p95'));
    figures.push(latencyFigure(defaults, 'rate100', 'p99', LATENCY_TARGETS.rate100P99Ms));
  }
  for (const result of presets.filter((p) => p.preset !== DEFAULT_LATENCY_PRESET)) {
    figures.push(latencyFigure(result, 'rate4', 'p50'));
    figures.push(latencyFigure(result, 'rate100', 'p99'));
  }
  for (const result of presets) {
    const phase = phaseOf(result, 'rate100');
    figures.push(
      pairedFigure({
        id: `latency.${result.preset}.rate100.sqsPerDelivery`,
        benchmark: 'latency',
        title: `SQS requests per delivery, ${result.preset}, 100 writes/s`,
        unit: 'req/delivery',
        higherIsBetter: false,
        values: [phase.sqsPerDelivery],
        baseline: {
          title: 'full batches: (SendMessageBatch + ReceiveMessage + DeleteMessageBatch) / 10',
          values: [0.3],
        },
        unpaired: true,
        ...(result.preset === 'economical'
          ? {
              target: {
                on: 'value' as const,
                comparison: '<=' as const,
                threshold: LATENCY_TARGETS.economicalSqsPerDeliveryAt100,
              },
            }
          : {}),
        notes: `From 20 % of the writes to the last delivery. ${JSON.stringify(Object.fromEntries(Object.entries(phase.requests).filter(([k]) => k.startsWith('sqs.'))))} for ${phase.deliveries} deliveries.`,
      }),
    );
  }
  const ms = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
  const table = [
    'Latency presets on the local stack (write → verified receipt, ms; requests per delivery; USD per million deliveries at AWS prices):',
    '| preset | traffic | p50 | p95 | p99 | SQS/delivery | DynamoDB/delivery | USD/M |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...presets.flatMap((result) =>
      result.phases.map(
        (p) =>
          `| ${result.preset} | ${p.label} | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p95)} | ${ms(p.latencyMs.p99)} | ${p.sqsPerDelivery.toFixed(2)} | ${p.dynamodbPerDelivery.toFixed(2)} | ${p.usdPerMillionDeliveries?.toFixed(2) ?? '–'} |`,
      ),
    ),
    ...relay.map(
      (p) =>
        `| bare relay | ${p.label} | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p95)} | ${ms(p.latencyMs.p99)} | ${p.sqsPerDelivery.toFixed(2)} | – | – |`,
    ),
    'Per hop (p50 ms: stream → mapper invoked, mapper → enqueued, enqueued → first received, received → delivery invoked, delivery invoked → POST received):',
    ...presets.flatMap((result) =>
      result.phases.map((p) => {
        const h = p.hops;
        return h
          ? `  ${result.preset}, ${p.label}: ${ms(h.streamToMapper.p50)} / ${ms(h.mapperToQueue.p50)} / ${ms(h.queueToReceive.p50)} / ${ms(h.receiveToInvoke.p50)} / ${ms(h.invokeToPost.p50)}`
          : '';
      }),
    ),
    `Signature rejections ${receiver.rejected}, duplicate deliveries ${receiver.duplicates}.`,
  ];
  const durations = measuredDurations(presets);
  const model = AWS_MODEL_RATES.flatMap((writesPerSecond) =>
    presets.map((result) => ({
      preset: result.preset,
      ...modelAwsLatency({
        writesPerSecond,
        windows: result.windows,
        durations,
        maxPollers: parseStackSettings({}).deliveryMaxConcurrency,
      }),
    })),
  );
  table.push(
    `AWS model (docs/performance.md#aws-latency-model), fed with these handler durations: mapper ${durations.mapperBaseMs.toFixed(1)} ms + ${durations.mapperPerRecordMs.toFixed(2)} ms/record, delivery ${durations.deliveryBaseMs.toFixed(1)} ms + ${durations.deliveryPerJobMs.toFixed(2)} ms/job, ${durations.deliveryToPostMs.toFixed(1)} ms from invocation to POST:`,
    '| preset | writes/s | p50 ms | p99 ms | SQS/delivery | USD/M |',
    '|---|---:|---:|---:|---:|---:|',
    ...model.map(
      (m) =>
        `| ${m.preset} | ${m.writesPerSecond.toLocaleString('en-US')} | ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${m.sqsPerDelivery.toFixed(2)} | ${m.usdPerMillionDeliveries.toFixed(2)} |`,
    ),
  );
  return {
    figures,
    highlights: table,
    details: {
      presets: presets.map((result) => ({
        ...result,
        phases: result.phases.map(({ mapperInvocations, deliveryInvocations, ...rest }) => ({
          ...rest,
          handlerMs: {
            mapper: invocationSummary(mapperInvocations ?? []),
            delivery: invocationSummary(deliveryInvocations ?? []),
          },
        })),
      })),
      bareRelay: relay,
      awsModel: {
        durations,
        assumptions: AWS_ASSUMPTIONS,
        results: model satisfies (ModelResult & { preset: string })[],
      },
      signatureRejections: receiver.rejected,
      duplicateDeliveries: receiver.duplicates,
    },
  };
}

/** The write rates the AWS model is run at (the 1, 10, 100 and 1,000 writes/s). */
const AWS_MODEL_RATES = [1, 10, 100, 1_000] as const;

/** Least squares fit of duration = base + perItem × items over the invocations (both at least 0). */
function linearFit(list: readonly InvocationTiming[]): { base: number; perItem: number } {
  const n = list.length;
  if (n === 0) return { base: Number.NaN, perItem: Number.NaN };
  const mx = list.reduce((a, i) => a + i.records, 0) / n;
  const my = list.reduce((a, i) => a + i.durationMs, 0) / n;
  const sxx = list.reduce((a, i) => a + (i.records - mx) ** 2, 0);
  const sxy = list.reduce((a, i) => a + (i.records - mx) * (i.durationMs - my), 0);
  const perItem = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  return { base: Math.max(0, my - perItem * mx), perItem };
}

/**
 * The handler durations the AWS model is fed with, from the default preset's runs (every batch size from
 * 1 to full): a linear fit per function, and the median time from a delivery invocation to its POST.
 */
function measuredDurations(presets: PresetResult[]): MeasuredDurations {
  const phases = (presets.find((p) => p.preset === DEFAULT_LATENCY_PRESET) ?? presets[0])?.phases ?? [];
  const mapper = linearFit(phases.flatMap((p) => p.mapperInvocations ?? []));
  const delivery = linearFit(phases.flatMap((p) => p.deliveryInvocations ?? []));
  const light = phases.filter((p) => p.key === 'rate1' || p.key === 'rate4');
  return {
    mapperBaseMs: mapper.base,
    mapperPerRecordMs: mapper.perItem,
    deliveryBaseMs: delivery.base,
    deliveryPerJobMs: delivery.perItem,
    deliveryToPostMs: quantile(
      light.map((p) => p.hops?.invokeToPost.p50 ?? Number.NaN).filter(Number.isFinite),
      0.5,
    ),
  };
}

/** Median handler duration and records per invocation: the durations the AWS latency model is fed with. */
function invocationSummary(list: readonly InvocationTiming[]): {
  invocations: number;
  medianMs: number;
  p95Ms: number;
  medianRecords: number;
} {
  return {
    invocations: list.length,
    medianMs: quantile(
      list.map((i) => i.durationMs),
      0.5,
    ),
    p95Ms: quantile(
      list.map((i) => i.durationMs),
      0.95,
    ),
    medianRecords: quantile(
      list.map((i) => i.records),
      0.5,
    ),
  };
}
