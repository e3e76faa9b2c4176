/**
 * The AWS delivery plane as a discrete-event simulation: lanes, event source mappings, delivery containers
 * and endpoints.
 */

import { type BreakerPolicy, DEFAULT_BREAKER_POLICY } from '../../../shared/domain/health/endpointHealth';
import { quantile } from '../stats';
import { type SimCostBreakdown, simulatedCostPerMillionDeliveries } from './deliveryCost';
import { emptyOutcomes, handleDeliveryBatch, type SimJob } from './deliveryHandlerModel';
import { noRateLimit, productionRetryRules, type RetryRules, type WebhookRateLimit } from './deliveryRules';
import { EndpointHealthTable } from './endpointHealthTable';
import { EventQueue } from './eventQueue';
import { LambdaConcurrency } from './lambdaConcurrency';
import { hangingReceiver, healthyReceiver } from './receiverModel';
import { poissonSample, seededRandom } from './seededRandom';
import { type EventSourceMappingOptions, SqsEventSourceMapping } from './sqsEventSourceMapping';
import { IN_FLIGHT_QUOTA, SqsStandardQueue } from './sqsStandardQueue';

export interface LaneSettings extends Omit<EventSourceMappingOptions, 'invokeOverheadMs'> {
  /** Request timeout of an attempt in this lane (PRIMARY_LANE_TIMEOUT_MS, REQUEST_TIMEOUT_MS). */
  attemptTimeoutMs: number;
}

/** The delivery function's defaults (functions/delivery/config.ts) the model runs with. */
const PRIMARY_LANE_SLOW_AFTER_MS = 1_000;
/** Containers read webhook rows through a 5 s cache (WEBHOOK_CACHE_TTL_SECONDS): changes seen 2.5 s later on average. */
const HEALTH_VISIBLE_AFTER_MS = 2_500;

export interface DeliveryPlaneScenario {
  /** Deliveries enqueued per second by the event mapper (Poisson arrivals). */
  rate: number;
  webhooks: number;
  /** Share of webhooks whose endpoint accepts and never answers, dead from the start. */
  deadFraction: number;
  simulatedSeconds: number;
  /** Left out of throughput and latency (peak in-flight counts the whole run, onset included). */
  warmupSeconds: number;
  /** New jobs (attempt 1) of endpoints that are neither marked slow nor behind a non-closed breaker. */
  primary: LaneSettings;
  /** Retries, and every job of a slow or failing endpoint. */
  slow: LaneSettings;
  accountConcurrency: number;
  healthyMedianMs: number;
  healthySigma: number;
  seed: number;
  /** Defaults: the production retry rules and breaker policy, no rate limit. */
  retry?: RetryRules;
  breakerPolicy?: BreakerPolicy;
  rateLimit?: WebhookRateLimit;
  /** Defaults: PRIMARY_LANE_SLOW_AFTER_MS, HEALTH_VISIBLE_AFTER_MS. */
  primaryLaneSlowAfterMs?: number;
  healthVisibleAfterMs?: number;
}

export interface DeliveryPlaneResult {
  offeredPerSecond: number;
  deliveredPerSecond: number;
  healthyDelivered: number;
  healthyP50Ms: number;
  healthyP99Ms: number;
  /** In-flight messages of each queue at its peak, and the larger one against the quota. */
  peakInFlight: { primary: number; slow: number; max: number; quota: number };
  peakConcurrency: { primary: number; slow: number; account: number };
  throttles: number;
  attempts: number;
  failedAttempts: number;
  hops: number;
  circuitOpen: number;
  movedToSlowLane: number;
  deadLettered: number;
  sqsRequests: number;
  overLimitReceives: number;
  cost: SimCostBreakdown;
  /** Events processed and wall-clock ms the simulation took. */
  wallMs: number;
}

/** Lambda's invoke path between a receive and the handler starting; and the CPU of one job. */
const INVOKE_OVERHEAD_MS = 20;
const PER_JOB_CPU_MS = 2;
/** The event mapper's SendMessageBatch calls: arrivals are gathered in ticks of this length. */
const ARRIVAL_TICK_MS = 10;

/**
 * The AWS delivery plane as a discrete-event simulation: the event mapper sends jobs to the primary
 * lane's queue; each lane is an SQS standard queue consumed by its own Lambda event source mapping;
 * failed attempts and deferred jobs go to the slow lane as delayed messages. Deterministic per seed.
 */
export function simulateDeliveryPlane(scenario: DeliveryPlaneScenario): DeliveryPlaneResult {
  const started = performance.now();
  const events = new EventQueue();
  const random = seededRandom(scenario.seed);
  const account = new LambdaConcurrency(scenario.accountConcurrency);
  const visibilityTimeoutSeconds = 6 * 60; // 6 × the function timeout, as the stack sets it
  const primaryQueue = new SqsStandardQueue<SimJob>('primary', events, { visibilityTimeoutSeconds });
  const slowQueue = new SqsStandardQueue<SimJob>('slow', events, { visibilityTimeoutSeconds });
  const deadWebhooks = Math.round(scenario.webhooks * scenario.deadFraction);
  const isHealthy = (webhookId: number) => webhookId >= deadWebhooks;
  const healthy = healthyReceiver(scenario.healthyMedianMs, scenario.healthySigma);
  const hanging = hangingReceiver();
  const outcomes = emptyOutcomes();
  const measureFromMs = scenario.warmupSeconds * 1000;
  const health = new EndpointHealthTable(scenario.healthVisibleAfterMs ?? HEALTH_VISIBLE_AFTER_MS);
  const shared = {
    events,
    receivers: (webhookId: number) => (isHealthy(webhookId) ? healthy : hanging),
    isHealthy,
    retry: scenario.retry ?? productionRetryRules,
    health,
    // The probe lease outlasts a slow-lane attempt, as loadDeliveryConfig sets it (REQUEST_TIMEOUT_MS + 5 s).
    breakerPolicy: scenario.breakerPolicy ?? {
      ...DEFAULT_BREAKER_POLICY,
      probeLeaseMs: scenario.slow.attemptTimeoutMs + 5_000,
    },
    rateLimit: scenario.rateLimit ?? noRateLimit,
    queues: { primary: primaryQueue, slow: slowQueue },
    slowAfterMs: Math.min(
      scenario.primaryLaneSlowAfterMs ?? PRIMARY_LANE_SLOW_AFTER_MS,
      scenario.primary.attemptTimeoutMs,
    ),
    perJobCpuMs: PER_JOB_CPU_MS,
    random,
    measureFromMs,
    outcomes,
  };
  const lanes = (
    [
      { lane: 'primary', queue: primaryQueue, settings: scenario.primary },
      { lane: 'slow', queue: slowQueue, settings: scenario.slow },
    ] as const
  ).map(
    ({ lane, queue, settings }) =>
      new SqsEventSourceMapping(
        events,
        queue,
        account,
        { ...settings, invokeOverheadMs: INVOKE_OVERHEAD_MS },
        (batch, done) =>
          handleDeliveryBatch({ ...shared, lane, attemptTimeoutMs: settings.attemptTimeoutMs }, batch, done),
      ),
  );
  for (const lane of lanes) lane.start();

  // The event mapper: Poisson arrivals, spread evenly over the webhooks, sent in batches of 10.
  const endMs = scenario.simulatedSeconds * 1000;
  const perTick = (scenario.rate * ARRIVAL_TICK_MS) / 1000;
  const arrive = () => {
    const n = poissonSample(random, perTick);
    const entries: { body: SimJob; delaySeconds: number }[] = [];
    for (let i = 0; i < n; i += 1) {
      const webhookId = Math.floor(random() * scenario.webhooks);
      entries.push({ body: { webhookId, attempt: 1, enqueuedAt: events.now }, delaySeconds: 0 });
    }
    primaryQueue.sendBatch(entries);
    if (events.now + ARRIVAL_TICK_MS < endMs) events.after(ARRIVAL_TICK_MS, arrive);
  };
  events.at(0, arrive);
  events.runUntil(endMs);

  const [primaryMapping, slowMapping] = lanes as [
    SqsEventSourceMapping<SimJob>,
    SqsEventSourceMapping<SimJob>,
  ];
  const measuredSeconds = scenario.simulatedSeconds - scenario.warmupSeconds;
  const share = measuredSeconds / scenario.simulatedSeconds;
  // Requests and Lambda time are counted over the whole run; scale them to the measured window.
  const sqsRequests =
    [primaryQueue, slowQueue].reduce(
      (n, q) => n + q.counters.sendRequests + q.counters.receiveRequests + q.counters.deleteRequests,
      0,
    ) + outcomes.deadLettered;
  const counts = {
    delivered: outcomes.delivered,
    sqsRequests: sqsRequests * share,
    lambdaBilledMs: (primaryMapping.billedMs + slowMapping.billedMs) * share,
    lambdaInvocations: (primaryMapping.invocations + slowMapping.invocations) * share,
    dynamoDbWrites: outcomes.attemptLogWrites + (health.writes + (shared.rateLimit.writes ?? 0)) * share,
  };
  const latencies = outcomes.healthyLatenciesMs;
  return {
    offeredPerSecond: scenario.rate,
    deliveredPerSecond: outcomes.delivered / measuredSeconds,
    healthyDelivered: latencies.length,
    healthyP50Ms: quantile(latencies, 0.5),
    healthyP99Ms: quantile(latencies, 0.99),
    peakInFlight: {
      primary: primaryQueue.counters.peakInFlight,
      slow: slowQueue.counters.peakInFlight,
      max: Math.max(primaryQueue.counters.peakInFlight, slowQueue.counters.peakInFlight),
      quota: IN_FLIGHT_QUOTA,
    },
    peakConcurrency: {
      primary: primaryMapping.peakConcurrency,
      slow: slowMapping.peakConcurrency,
      account: account.peak,
    },
    throttles: account.throttles,
    attempts: outcomes.attempts,
    failedAttempts: outcomes.failedAttempts,
    hops: outcomes.hops,
    circuitOpen: outcomes.circuitOpen,
    movedToSlowLane: outcomes.movedToSlowLane,
    deadLettered: outcomes.deadLettered,
    sqsRequests: counts.sqsRequests,
    overLimitReceives: primaryQueue.counters.overLimitReceives + slowQueue.counters.overLimitReceives,
    cost: simulatedCostPerMillionDeliveries(counts),
    wallMs: performance.now() - started,
  };
}
