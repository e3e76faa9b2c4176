/**
 * A model of write → POST latency on AWS, hop by hop, from documented figures, stated assumptions and
 * measured durations.
 */

import { PRICES } from './awsPrices';
import { seededRandom } from './sim/seededRandom';

/**
 * A model of write → POST latency on AWS, hop by hop, for one webhook per record. What AWS documents is
 * taken as documented (URLs below); what it does not document is an explicit assumption in
 * `AWS_ASSUMPTIONS`; the handlers' own durations come from the `latency` benchmark's local measurements.
 *
 * Hops:
 * 1. The write reaches the table's stream ("near-real time", no figure documented: assumed).
 * 2. Lambda polls each shard "at a base rate of 4 times per second" and, after a successful batch,
 *    "resumes polling" at once (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
 * 3. The mapper's batching window: Lambda reads "until it has gathered a full batch, the batching window
 *    expires, or the batch reaches the payload limit of 6 MB" (same page). Mapper duration, measured.
 * 4. SendMessageBatch (inside the mapper's duration, plus an in-region request time: assumed).
 * 5. SQS: a long poll returns as soon as a message is available
 *    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html);
 *    Lambda's pollers start with five concurrent batches and scale with the backlog up to the mapping's
 *    maximum concurrency (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html); with a
 *    batching window the poller keeps polling until the batch is full or the window has passed
 *    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 * 6. The delivery handler up to its POST (measured), plus the network to the receiver (assumed).
 * 7. Cold starts: a new execution environment runs the function's init first
 *    (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html); reported separately,
 *    as the extra delay of the first write after the environments were reclaimed.
 */
export const AWS_ASSUMPTIONS = {
  /** Write → record readable on the stream: AWS says "near-real time"; assumed uniform in this range. */
  streamPropagationMs: [20, 80] as const,
  /** One in-region SQS request (SendMessageBatch, ReceiveMessage, DeleteMessageBatch). */
  sqsRequestMs: 10,
  /** The event source mapping invoking a warm function. */
  invokeOverheadMs: 10,
  /** Delivery function → receiver, one way (a receiver in or near the region). */
  receiverNetworkMs: 10,
  /** A receiver's answer, which holds the delivery invocation (not the POST's arrival). */
  receiverAnswerMs: 50,
  /** Lambda's idle SQS long polls: the 20 s maximum wait, per poller. */
  idleLongPollSeconds: 20,
  /**
   * Stream shards: one per table partition, and a partition takes 1,000 write units a second
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html); the
   * benchmark's records are 1-4 KB, about 3 write units each, so one shard per ~333 writes/s.
   */
  writesPerShard: 333,
} as const;

/** Lambda's SQS event source begins with five concurrent pollers (services-sqs-scaling). */
const INITIAL_SQS_POLLERS = 5;
const STREAM_POLL_MS = 250;
const MAPPER_BATCH_SIZE = 100;
const DELIVERY_BATCH_SIZE = 10;

/** Handler durations measured by the benchmark (ms), as linear functions of the batch size. */
export interface MeasuredDurations {
  mapperBaseMs: number;
  mapperPerRecordMs: number;
  /** Delivery invoked → its POST reached the (local) receiver. */
  deliveryToPostMs: number;
  deliveryBaseMs: number;
  deliveryPerJobMs: number;
}

export interface ModelInput {
  writesPerSecond: number;
  windows: { mapperSeconds: number; deliverySeconds: number };
  durations: MeasuredDurations;
  /** The SQS mapping's maximum concurrency (deliveryMaxConcurrency). */
  maxPollers: number;
  writes?: number;
  seed?: number;
}

export interface ModelResult {
  writesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  sqsPerDelivery: number;
  usdPerMillionDeliveries: number;
  mapperRecordsPerInvocation: number;
  deliveryJobsPerInvocation: number;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Simulates `writes` Poisson writes through the AWS path; deterministic for a seed. */
export function modelAwsLatency(input: ModelInput): ModelResult {
  const random = seededRandom(input.seed ?? 19);
  const a = AWS_ASSUMPTIONS;
  const d = input.durations;
  const writes = input.writes ?? 4_000;
  const windowM = input.windows.mapperSeconds * 1000;
  const windowD = input.windows.deliverySeconds * 1000;
  const shards = Math.max(1, Math.ceil(input.writesPerSecond / a.writesPerShard));

  // 1. Writes and their arrival on a shard's stream.
  const writtenAt: number[] = [];
  let t = 0;
  for (let i = 0; i < writes; i++) {
    t += (-Math.log(1 - random()) / input.writesPerSecond) * 1000;
    writtenAt.push(t);
  }
  const perShard: { id: number; availableAt: number }[][] = Array.from({ length: shards }, () => []);
  writtenAt.forEach((at, id) => {
    const [low, high] = a.streamPropagationMs;
    perShard[Math.floor(random() * shards)]?.push({ id, availableAt: at + low + random() * (high - low) });
  });

  // 2-4. Each shard: polls 4/s when idle, at once after a batch; the window; the mapper; SendMessageBatch.
  const enqueuedAt = new Array<number>(writes);
  let mapperInvocations = 0;
  let mapperBilledMs = 0;
  let sends = 0;
  for (const records of perShard) {
    records.sort((x, y) => x.availableAt - y.availableAt);
    let now = random() * STREAM_POLL_MS;
    let next = 0;
    while (next < records.length) {
      const first = records[next] as { availableAt: number };
      if (first.availableAt > now) {
        now += Math.ceil((first.availableAt - now) / STREAM_POLL_MS) * STREAM_POLL_MS;
        continue;
      }
      let end = next;
      const takeUpTo = (time: number) => {
        while (
          end < records.length &&
          end - next < MAPPER_BATCH_SIZE &&
          (records[end] as { availableAt: number }).availableAt <= time
        )
          end++;
      };
      takeUpTo(now);
      let invokeAt = now;
      if (windowM > 0 && end - next < MAPPER_BATCH_SIZE) {
        const windowEnd = now + windowM;
        // Polls every 250 ms within the window; invoked when a poll fills the batch or at the window's end.
        let poll = now;
        while (poll < windowEnd && end - next < MAPPER_BATCH_SIZE) {
          poll = Math.min(poll + STREAM_POLL_MS, windowEnd);
          takeUpTo(poll);
        }
        invokeAt = poll;
      }
      const batch = end - next;
      const duration = d.mapperBaseMs + d.mapperPerRecordMs * batch + a.sqsRequestMs;
      const done = invokeAt + a.invokeOverheadMs + duration;
      for (let i = next; i < end; i++) enqueuedAt[(records[i] as { id: number }).id] = done;
      mapperInvocations++;
      mapperBilledMs += Math.ceil(duration);
      sends += Math.ceil(batch / 10);
      next = end;
      now = done;
    }
  }

  // 5-6. Lambda's SQS pollers: the first free poller takes the next visible message; the window; the POST.
  const order = enqueuedAt.map((at, id) => ({ id, at })).sort((x, y) => x.at - y.at);
  const receiptAt = new Array<number>(writes);
  const pollers = Math.max(
    INITIAL_SQS_POLLERS,
    Math.min(input.maxPollers, Math.ceil((input.writesPerSecond * (d.deliveryBaseMs + 100)) / 1000 / 2)),
  );
  const freeAt = new Array<number>(pollers).fill(0);
  let receives = 0;
  let deletes = 0;
  let deliveryInvocations = 0;
  let deliveryBilledMs = 0;
  let next = 0;
  while (next < order.length) {
    const poller = freeAt.indexOf(Math.min(...freeAt));
    const firstVisible = (order[next] as { at: number }).at;
    const received = Math.max(freeAt[poller] as number, firstVisible) + a.sqsRequestMs;
    let end = next;
    const takeUpTo = (time: number) => {
      while (
        end < order.length &&
        end - next < DELIVERY_BATCH_SIZE &&
        (order[end] as { at: number }).at <= time
      )
        end++;
    };
    takeUpTo(received - a.sqsRequestMs);
    receives++;
    let invokeAt = received;
    if (windowD > 0 && end - next < DELIVERY_BATCH_SIZE) {
      const windowEnd = received + windowD;
      takeUpTo(windowEnd);
      const last = (order[end - 1] as { at: number }).at;
      // Full before the window ended: invoked once the last one is received.
      invokeAt = end - next === DELIVERY_BATCH_SIZE ? Math.max(received, last + a.sqsRequestMs) : windowEnd;
      receives++;
    }
    const batch = end - next;
    const postAt = invokeAt + a.invokeOverheadMs + d.deliveryToPostMs + a.receiverNetworkMs;
    for (let i = next; i < end; i++) receiptAt[(order[i] as { id: number }).id] = postAt;
    const duration = d.deliveryBaseMs + d.deliveryPerJobMs * batch + a.receiverAnswerMs;
    freeAt[poller] = invokeAt + a.invokeOverheadMs + duration + a.sqsRequestMs;
    deliveryInvocations++;
    deliveryBilledMs += Math.ceil(duration);
    deletes++;
    next = end;
  }

  const latencies = receiptAt.map((at, id) => at - (writtenAt[id] as number)).sort((x, y) => x - y);
  const simulatedSeconds = ((writtenAt[writes - 1] as number) + 1) / 1000;
  // Idle pollers long-poll the empty queue; count every poller's share of the time as idle polls (an upper bound).
  const idleReceives = (pollers * simulatedSeconds) / a.idleLongPollSeconds;
  const sqs = sends + receives + deletes + idleReceives;
  const gbSeconds = ((mapperBilledMs + deliveryBilledMs) / 1000) * 0.5;
  const usd =
    sqs * PRICES.sqsStandardPerRequest +
    (mapperInvocations + deliveryInvocations) * PRICES.lambdaPerRequest +
    gbSeconds * PRICES.lambdaArmPerGbSecond +
    // The attempt log: one write unit per delivery.
    writes * PRICES.dynamoDbOnDemandPerWriteUnit;
  return {
    writesPerSecond: input.writesPerSecond,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    sqsPerDelivery: sqs / writes,
    usdPerMillionDeliveries: (usd / writes) * 1e6,
    mapperRecordsPerInvocation: writes / mapperInvocations,
    deliveryJobsPerInvocation: writes / deliveryInvocations,
  };
}
