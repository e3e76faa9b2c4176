/** Records when each record passed each hop of the pipeline. */

import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import type { LambdaHandler } from '../../infra/local/lambdaContext';

/** When a record passed each hop of the pipeline, on the `performance.now()` clock of the load generator. */
export interface RecordHops {
  /** The event mapper was invoked with the record's stream record. */
  mapperInvoked?: number;
  /** SQS stamped the job as sent (its `SentTimestamp`). */
  enqueued?: number;
  /** SQS first handed the job to a receive (its `ApproximateFirstReceiveTimestamp`). */
  firstReceived?: number;
  /** The delivery function was invoked with the job. */
  deliveryInvoked?: number;
}

/** One handler invocation: when, how long, how many records. */
export interface InvocationTiming {
  startedAt: number;
  durationMs: number;
  records: number;
}

const RECORD_ID = /"recordId":"([^"]*)"/;
/** SQS timestamps are epoch milliseconds; the load generator stamps writes with performance.now(). */
const fromEpoch = (epochMs: string | undefined) =>
  epochMs === undefined ? undefined : Number(epochMs) - performance.timeOrigin;

/**
 * Wraps the event mapper and delivery handlers (as the local runtime invokes them) to note when each
 * record reached them, and reads SQS's own send and first-receive timestamps from the delivery event:
 * the benchmark's per-hop breakdown, with nothing instrumented in the product. The first sighting of a
 * record counts (a fan-out to several webhooks shares the stream hop).
 */
export class HopRecorder {
  readonly hops = new Map<string, RecordHops>();
  readonly mapperInvocations: InvocationTiming[] = [];
  readonly deliveryInvocations: InvocationTiming[] = [];

  private hopsOf(id: string): RecordHops {
    let hops = this.hops.get(id);
    if (hops === undefined) {
      hops = {};
      this.hops.set(id, hops);
    }
    return hops;
  }

  wrapMapper<R>(handler: LambdaHandler<DynamoDBStreamEvent, R>): LambdaHandler<DynamoDBStreamEvent, R> {
    return async (event: DynamoDBStreamEvent, context: Context) => {
      const startedAt = performance.now();
      for (const record of event.Records) {
        const id = record.dynamodb?.Keys?.id?.S;
        if (id !== undefined) this.hopsOf(id).mapperInvoked ??= startedAt;
      }
      try {
        return await handler(event, context);
      } finally {
        this.mapperInvocations.push({
          startedAt,
          durationMs: performance.now() - startedAt,
          records: event.Records.length,
        });
      }
    };
  }

  wrapDelivery<R>(handler: LambdaHandler<SQSEvent, R>): LambdaHandler<SQSEvent, R> {
    return async (event: SQSEvent, context: Context) => {
      const startedAt = performance.now();
      for (const record of event.Records) {
        const id = RECORD_ID.exec(record.body)?.[1];
        if (id === undefined) continue;
        const hops = this.hopsOf(id);
        hops.enqueued ??= fromEpoch(record.attributes.SentTimestamp);
        hops.firstReceived ??= fromEpoch(record.attributes.ApproximateFirstReceiveTimestamp);
        hops.deliveryInvoked ??= startedAt;
      }
      try {
        return await handler(event, context);
      } finally {
        this.deliveryInvocations.push({
          startedAt,
          durationMs: performance.now() - startedAt,
          records: event.Records.length,
        });
      }
    };
  }
}
