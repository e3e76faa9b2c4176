/**
 * Benchmark: the AWS delivery plane simulated (SQS lanes, Lambda scaling, the real rules) at 1k and 10k
 * deliveries/s.
 */

import {
  type DeliveryPlaneResult,
  type DeliveryPlaneScenario,
  simulateDeliveryPlane,
} from '../lib/sim/deliveryPlaneSimulation';
import { productionRateLimit } from '../lib/sim/productionRateLimit';
import { pairedFigure } from '../lib/stats';
import type { Benchmark, Figure } from '../lib/types';

/** Deliveries per second the figures are computed at, and the share of dead endpoints. */
const RATES = [1_000, 10_000] as const;
const DEAD_FRACTIONS = [0, 0.01, 0.1] as const;
const WEBHOOKS = 10_000;

/**
 * The delivery-plane settings each rate runs with (docs/scaling.md lists them): per-lane event-source
 * maximum concurrency and batch size, the account's Lambda concurrency, and the lanes' timeouts. The
 * primary lane's short timeout keeps a dead endpoint's jobs from holding its batches for the full 10 s
 * before the breaker opens; the slow lane gives retries the full request timeout.
 */
const SCALE_SETTINGS: Record<
  (typeof RATES)[number],
  Pick<DeliveryPlaneScenario, 'primary' | 'slow' | 'accountConcurrency'>
> = {
  1000: {
    primary: { batchSize: 10, maxConcurrency: 200, attemptTimeoutMs: 2_000 },
    slow: { batchSize: 10, maxConcurrency: 100, attemptTimeoutMs: 10_000 },
    accountConcurrency: 1_000,
  },
  10000: {
    primary: { batchSize: 10, maxConcurrency: 1_000, attemptTimeoutMs: 2_000 },
    slow: { batchSize: 10, maxConcurrency: 200, attemptTimeoutMs: 10_000 },
    accountConcurrency: 1_500,
  },
};

const P99_RATIO_TARGET = 1.2;
/** The per-webhook rateLimit of the rate-limited scenario: above each webhook's offered share. */
const RATE_LIMITED_PER_WEBHOOK = 10;
const IN_FLIGHT_SHARE_TARGET = 0.1;

/** The simulation is deterministic: one run per scenario, not repetitions. */
const SEED = 13;
const RUN_NOTE = `one simulated run (seed ${SEED}), after its warm-up`;

const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;
const key = (rate: number, dead: number) => `${rate / 1000}k.dead${Math.round(dead * 100)}`;

function scenario(rate: (typeof RATES)[number], deadFraction: number, smoke: boolean): DeliveryPlaneScenario {
  const settings = SCALE_SETTINGS[rate];
  // A pipeline at this rate has been running: its mappings have already scaled to their maximum.
  const warm = (lane: typeof settings.primary) => ({ ...lane, initialConcurrency: lane.maxConcurrency });
  return {
    rate,
    webhooks: WEBHOOKS,
    deadFraction,
    // Long enough for every dead endpoint's breaker to open at 1k/s (0.1 jobs/s per webhook).
    simulatedSeconds: smoke ? 4 : rate >= 10_000 ? 60 : 120,
    warmupSeconds: smoke ? 1 : rate >= 10_000 ? 30 : 60,
    primary: warm(settings.primary),
    slow: warm(settings.slow),
    accountConcurrency: settings.accountConcurrency,
    healthyMedianMs: 150,
    healthySigma: 0.3,
    seed: SEED,
  };
}

/** Issue 13's `scale` figure: the AWS delivery plane simulated at 1k and 10k deliveries/s, 0/1/10 % dead. */
export const scale: Benchmark = {
  name: 'scale',
  description:
    'discrete-event simulation of the AWS delivery plane (SQS lanes, Lambda scaling, the real retry, endpoint-breaker and rate-limit rules) at 1k and 10k deliveries/s with 0/1/10 % dead endpoints, and 1k/s with every webhook rate-limited',
  fastInSmoke: true,
  async run({ options, progress }) {
    const results = new Map<string, DeliveryPlaneResult>();
    for (const rate of RATES) {
      for (const dead of DEAD_FRACTIONS) {
        progress.stage(`scale: ${rate} deliveries/s, ${percent(dead)} of ${WEBHOOKS} endpoints dead`);
        const result = simulateDeliveryPlane(scenario(rate, dead, options.smoke));
        results.set(key(rate, dead), result);
      }
    }
    const figures: Figure[] = [];
    for (const rate of RATES) {
      const base = results.get(key(rate, 0)) as DeliveryPlaneResult;
      for (const dead of DEAD_FRACTIONS) {
        const r = results.get(key(rate, dead)) as DeliveryPlaneResult;
        const label = `${rate.toLocaleString('en-US')}/s, ${percent(dead)} dead`;
        const id = `scale.${key(rate, dead)}`;
        figures.push(
          pairedFigure({
            id: `${id}.deliveriesPerSecond`,
            benchmark: 'scale',
            title: `simulated deliveries/s, ${label}`,
            unit: 'deliveries/s',
            higherIsBetter: true,
            values: [r.deliveredPerSecond],
            baseline: { title: 'offered to healthy endpoints', values: [rate * (1 - dead)] },
            target: { on: 'ratio', comparison: '>=', threshold: 0.98 },
            notes: RUN_NOTE,
          }),
          pairedFigure({
            id: `${id}.peakInFlight`,
            benchmark: 'scale',
            title: `simulated peak in-flight messages, ${label}`,
            unit: 'messages',
            higherIsBetter: false,
            values: [r.peakInFlight.max],
            baseline: { title: 'SQS in-flight quota of a standard queue', values: [r.peakInFlight.quota] },
            target: { on: 'ratio', comparison: '<=', threshold: IN_FLIGHT_SHARE_TARGET },
            notes: `${RUN_NOTE}; whole run, the onset before the dead endpoints are marked slow included`,
          }),
        );
        if (dead === 0) continue;
        figures.push(
          pairedFigure({
            id: `${id}.healthyP99Ms`,
            benchmark: 'scale',
            title: `simulated healthy p99 enqueue→receipt, ${label}`,
            unit: 'ms',
            higherIsBetter: false,
            values: [r.healthyP99Ms],
            baseline: { title: `same rate, 0 % dead`, values: [base.healthyP99Ms] },
            notes: RUN_NOTE,
            ...(dead >= 0.1
              ? { target: { on: 'ratio' as const, comparison: '<=' as const, threshold: P99_RATIO_TARGET } }
              : {}),
          }),
          pairedFigure({
            id: `${id}.usdPerMillionDeliveries`,
            benchmark: 'scale',
            title: `simulated AWS cost per million deliveries, ${label}`,
            unit: 'USD',
            higherIsBetter: false,
            values: [r.cost.total],
            baseline: { title: 'same rate, 0 % dead', values: [base.cost.total] },
            notes: `${RUN_NOTE}; SQS, Lambda arm64 GB-s and requests, DynamoDB writes (breakdown in the details)`,
          }),
        );
      }
    }
    // What turning rate limits on costs: every webhook limited to RATE_LIMITED_PER_WEBHOOK/s, far above
    // its offered share (1k/s over 10k webhooks = 0.1/s each, Poisson), so the limit never binds and only
    // the limiter's work shows: one DynamoDB write per delivery, and no added latency. (At 1/s it would
    // bind on the Poisson bursts: two jobs of one webhook within a second happen for ~10 % of jobs.)
    progress.stage(`scale: 1000 deliveries/s, every webhook rate-limited (${RATE_LIMITED_PER_WEBHOOK}/s)`);
    const limiter = productionRateLimit(() => RATE_LIMITED_PER_WEBHOOK);
    const rateLimited = simulateDeliveryPlane({ ...scenario(1_000, 0, options.smoke), rateLimit: limiter });
    results.set('1k.rateLimited', rateLimited);
    const unlimited = results.get(key(1_000, 0)) as DeliveryPlaneResult;
    figures.push(
      pairedFigure({
        id: 'scale.1k.rateLimited.healthyP99Ms',
        benchmark: 'scale',
        title: `simulated healthy p99 enqueue→receipt, 1,000/s, every webhook rateLimit ${RATE_LIMITED_PER_WEBHOOK}/s`,
        unit: 'ms',
        higherIsBetter: false,
        values: [rateLimited.healthyP99Ms],
        baseline: { title: 'same rate, no rate limits', values: [unlimited.healthyP99Ms] },
        target: { on: 'ratio', comparison: '<=', threshold: P99_RATIO_TARGET },
        notes: `${RUN_NOTE}; the real rate-limit rules (shared/domain/limits) with one shared limiter`,
      }),
      pairedFigure({
        id: 'scale.1k.rateLimited.usdPerMillionDeliveries',
        benchmark: 'scale',
        title: `simulated AWS cost per million deliveries, 1,000/s, every webhook rateLimit ${RATE_LIMITED_PER_WEBHOOK}/s`,
        unit: 'USD',
        higherIsBetter: false,
        values: [rateLimited.cost.total],
        baseline: { title: 'same rate, no rate limits', values: [unlimited.cost.total] },
        notes: `${RUN_NOTE}; ${limiter.writes} limiter writes (one per reserved slot), priced as DynamoDB on-demand writes`,
      }),
    );
    const highlights = RATES.map((rate) => {
      const base = results.get(key(rate, 0)) as DeliveryPlaneResult;
      const worst = results.get(key(rate, 0.1)) as DeliveryPlaneResult;
      return `scale ${rate}/s: healthy p99 ${base.healthyP99Ms.toFixed(0)} ms (0 % dead) → ${worst.healthyP99Ms.toFixed(0)} ms (10 % dead); peak in-flight ${worst.peakInFlight.max} of ${worst.peakInFlight.quota}; ${base.cost.total.toFixed(2)} → ${worst.cost.total.toFixed(2)} USD per million deliveries`;
    });
    return {
      figures,
      highlights,
      details: {
        settings: SCALE_SETTINGS,
        webhooks: WEBHOOKS,
        scenarios: Object.fromEntries(results),
      },
    };
  },
};
