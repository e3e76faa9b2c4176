/** The local DynamoDB Streams event source: reads the shards and invokes the event mapper, as Lambda does. */

import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { abortableSleep } from './abortableSleep';
import { readBatchItemFailures } from './batchItemFailures';
import { invokeLambda, type LambdaHandler } from './lambdaContext';

export interface StreamBatchResult {
  streamArn: string;
  shardId: string;
  /** Records in the batch as first read. */
  records: number;
  /** Records given up on after the retries and reported to the failure destination. */
  sentToFailureDestination: number;
  /** Invocations it took (1 = no retry). */
  invocations: number;
}

export interface StreamPollerOptions {
  streams: DynamoDBStreamsClient;
  streamArns: readonly string[];
  handler: LambdaHandler<DynamoDBStreamEvent, unknown>;
  /** Converts an SDK stream record to the record Lambda delivers (`infra/local/streamRecordToLambda`). */
  toLambdaRecord: (record: StreamRecord, streamArn: string) => DynamoDBRecord;
  functionName: string;
  timeoutMs: number;
  /** Where a batch goes once its retries are exhausted (Lambda's on-failure destination). */
  failureDestination: { sqs: SQSClient; queueUrl: string };
  /** Where reading starts on the shards open at start; shards appearing later are read from their start. */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /**
   * The last processed sequence number per shard, updated as batches complete. A new poller given the
   * same map resumes every shard after its checkpoint instead of at `startingPosition`, as Lambda does
   * when a disabled event source mapping is enabled again.
   */
  checkpoints?: Map<string, string>;
  batchSize?: number;
  /** Retries of a failing batch before it goes to the failure destination (Lambda's MaximumRetryAttempts). */
  maxRetryAttempts?: number;
  /**
   * Lambda's MaximumBatchingWindow: when a read returns fewer than `batchSize` records, keep reading the
   * shard for up to this long before invoking, so a steady trickle makes full batches rather than an
   * invocation (and a SendMessageBatch) per handful of records. 0 = invoke with each read.
   */
  maxBatchingWindowMs?: number;
  /**
   * Pause between polls of a shard that returned nothing, and between reads within a batching window.
   * Lambda "polls shards in your DynamoDB stream for records at a base rate of 4 times per second"
   * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html), hence 250 ms. It does not grow while
   * a table is idle: a back-off would delay the first record after every pause, which is the record a
   * user waits for at light traffic.
   */
  idlePollMs?: number;
  /** How often the shard list is refreshed (and whenever a shard is read to its end), for splits and rotations. */
  shardDiscoveryMs?: number;
  retryBackoffMs?: number;
  onBatch?: (result: StreamBatchResult) => void;
  onPollError?: (error: unknown) => void;
  /**
   * Records older than DynamoDB Streams' 24-hour retention, which AWS would have trimmed before this
   * poller read them (possible locally after a long pause): skipped, as lost on AWS, and reported here.
   * Default: a warning on stderr.
   */
  onExpiredRecords?: (expired: { streamArn: string; shardId: string; records: number }) => void;
  /** The clock records are aged by (tests advance it); default `Date.now`. */
  now?: () => number;
}

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html: "All data in DynamoDB
// Streams is subject to a 24-hour lifetime ... automatically removed after this time". DynamoDB Local
// keeps them for as long as it runs, so the local poller applies the rule itself.
const STREAM_RECORD_RETENTION_MS = 24 * 3_600_000;

/** Has DynamoDB Streams' 24-hour retention passed for this record (by its ApproximateCreationDateTime)? */
function isPastStreamRetention(record: StreamRecord, nowMs: number): boolean {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (created === undefined) return false;
  return nowMs - new Date(created).getTime() > STREAM_RECORD_RETENTION_MS;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

function isIteratorGone(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException';
}

async function listShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const page = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
    );
    shards.push(...(page.StreamDescription?.Shards ?? []));
    exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

/**
 * Feeds DynamoDB streams to a handler with the semantics of Lambda's DynamoDB event source mapping
 * (ReportBatchItemFailures on, BisectBatchOnFunctionError off): every shard is read in order by one
 * reader, a child shard only once its parent is fully read; a batch whose handler reports item failures
 * is retried from the lowest failed sequence number, a thrown error retries the remaining batch, and
 * after `maxRetryAttempts` the batch's metadata goes to the failure destination and reading moves on.
 */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 100;
  const maxRetries = options.maxRetryAttempts ?? 3;
  const idlePollMs = options.idlePollMs ?? 250;
  const windowMs = options.maxBatchingWindowMs ?? 0;
  const report = options.onPollError ?? ((error) => console.error(`[${options.functionName} poller]`, error));
  const now = options.now ?? Date.now;
  const reportExpired =
    options.onExpiredRecords ??
    (({ shardId, records }) =>
      console.warn(
        `[${options.functionName} poller] skipped ${records} stream record(s) of shard ${shardId} older than 24 h: DynamoDB Streams would have removed them`,
      ));
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const functionArn = `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`;

  async function sendToFailureDestination(
    streamArn: string,
    shardId: string,
    records: DynamoDBRecord[],
    invocations: number,
    functionError: string,
  ): Promise<void> {
    const first = records[0]!.dynamodb;
    const last = records[records.length - 1]!.dynamodb;
    const arrival = (seconds: number | undefined) => new Date((seconds ?? 0) * 1000).toISOString();
    // The shape Lambda sends to an on-failure destination: metadata only, never the records themselves.
    const invocationRecord = {
      requestContext: {
        requestId: randomUUID(),
        functionArn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: invocations,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: last?.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival(first?.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: arrival(last?.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn,
      },
    };
    await options.failureDestination.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.failureDestination.queueUrl,
        MessageBody: JSON.stringify(invocationRecord),
      }),
    );
  }

  /** Invokes the handler until the batch is done or given up on; never throws. */
  async function processBatch(streamArn: string, shardId: string, batch: DynamoDBRecord[]): Promise<void> {
    let remaining = batch;
    let retries = 0;
    let invocations = 0;
    for (;;) {
      invocations++;
      let functionError = 'Unhandled';
      let failedFrom = -1;
      try {
        const response = await invokeLambda(options.handler, { Records: remaining }, options);
        const ids = remaining.map((r) => r.dynamodb?.SequenceNumber ?? '');
        const outcome = readBatchItemFailures(response, ids);
        if (outcome.kind === 'all-succeeded') break;
        functionError = 'BatchItemFailure';
        failedFrom = outcome.kind === 'all-failed' ? 0 : ids.findIndex((id) => outcome.failedIds.has(id));
      } catch (error) {
        report(error);
        failedFrom = 0;
      }
      // Retrying from the lowest failed record: what succeeded before it is checkpointed.
      if (failedFrom > 0) retries = 0;
      remaining = remaining.slice(failedFrom);
      if (retries >= maxRetries) {
        try {
          await sendToFailureDestination(streamArn, shardId, remaining, invocations, functionError);
        } catch (error) {
          report(error);
        }
        options.onBatch?.({
          streamArn,
          shardId,
          records: batch.length,
          sentToFailureDestination: remaining.length,
          invocations,
        });
        return;
      }
      retries++;
      // Shutdown does not cut retries short: the batch is either done or handed to the destination.
      await new Promise((r) => setTimeout(r, (options.retryBackoffMs ?? 200) * retries));
    }
    options.onBatch?.({
      streamArn,
      shardId,
      records: batch.length,
      sentToFailureDestination: 0,
      invocations,
    });
  }

  async function iteratorFor(
    streamArn: string,
    shardId: string,
    type: ShardIteratorType,
    sequenceNumber?: string,
  ): Promise<string | undefined> {
    const result = await options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
      }),
    );
    return result.ShardIterator;
  }

  /**
   * Keeps reading the shard at the polling rate into `records` until the batch is full or the batching
   * window (counted from the first read that returned records) has passed, as Lambda does: "Lambda
   * continues to read records from the event source until it has gathered a full batch, the batching
   * window expires, or the batch reaches the payload limit of 6 MB"
   * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html). On stop, what was read is still
   * processed. Returns the iterator to go on with (undefined: the shard is closed and fully read).
   */
  async function fillWithinWindow(
    records: StreamRecord[],
    iterator: string | undefined,
    windowEnd: number,
  ): Promise<string | undefined> {
    let next = iterator;
    while (next && records.length < batchSize && !abort.signal.aborted) {
      const remaining = windowEnd - Date.now();
      if (remaining <= 0) break;
      await abortableSleep(Math.min(idlePollMs, remaining), abort.signal);
      if (abort.signal.aborted) break;
      const more = await options.streams.send(
        new GetRecordsCommand({ ShardIterator: next, Limit: batchSize - records.length }),
      );
      records.push(...(more.Records ?? []));
      next = more.NextShardIterator;
    }
    return next;
  }

  /** Reads one shard to its end (closed shards) or until stopped. */
  async function readShard(
    streamArn: string,
    shardId: string,
    startAt: 'TRIM_HORIZON' | 'LATEST',
  ): Promise<void> {
    const checkpointKey = `${streamArn}#${shardId}`;
    let checkpoint: string | undefined = options.checkpoints?.get(checkpointKey);
    let iterator: string | undefined;
    let iteratorRenewals = 0;
    while (!abort.signal.aborted) {
      try {
        iterator ??= checkpoint
          ? await iteratorFor(streamArn, shardId, 'AFTER_SEQUENCE_NUMBER', checkpoint)
          : await iteratorFor(streamArn, shardId, startAt);
        if (iterator === undefined) return;
        const readAt = Date.now();
        const page = await options.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }),
        );
        const records = page.Records ?? [];
        iteratorRenewals = 0;
        if (records.length > 0 && records.length < batchSize && windowMs > 0) {
          // Nothing is checkpointed before the batch is processed: a failed read here re-reads from the
          // last checkpoint, so no record is lost.
          page.NextShardIterator = await fillWithinWindow(records, page.NextShardIterator, readAt + windowMs);
        }
        const live = records.filter((r) => !isPastStreamRetention(r, now()));
        if (live.length < records.length) {
          reportExpired({ streamArn, shardId, records: records.length - live.length });
        }
        if (live.length > 0) {
          await processBatch(
            streamArn,
            shardId,
            live.map((r) => options.toLambdaRecord(r, streamArn)),
          );
        }
        if (records.length > 0) {
          checkpoint = records[records.length - 1]!.dynamodb?.SequenceNumber;
          if (checkpoint !== undefined) options.checkpoints?.set(checkpointKey, checkpoint);
        }
        // No next iterator: the shard is closed and fully read.
        if (!page.NextShardIterator) return;
        iterator = page.NextShardIterator;
        // After records, read again at once, as Lambda "resumes polling" after a successful batch.
        if (records.length === 0) await abortableSleep(idlePollMs, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return;
        iterator = undefined;
        // Iterators expire (15 min on AWS) and DynamoDB Local sometimes reports a fresh one as trimmed:
        // both are routine, so take a new iterator from the last processed record right away.
        if (isIteratorGone(error) && ++iteratorRenewals <= 5) {
          await abortableSleep(idlePollMs, abort.signal);
          continue;
        }
        report(error);
        await abortableSleep(1_000, abort.signal);
      }
    }
  }

  async function followStream(streamArn: string): Promise<void> {
    const started = new Map<string, Promise<void>>();
    const finished = new Set<string>();
    let firstListing = true;
    let wakeDiscovery: (() => void) | undefined;
    while (!abort.signal.aborted) {
      try {
        const shards = await listShards(options.streams, streamArn);
        const known = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          const shardId = shard.ShardId!;
          if (started.has(shardId)) continue;
          const parent = shard.ParentShardId;
          // A parent still listed must be fully read first; one no longer listed has been trimmed.
          if (parent && known.has(parent) && !finished.has(parent)) continue;
          const isOpen = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
          const fromLatest = firstListing && options.startingPosition === 'LATEST';
          if (fromLatest && !isOpen) {
            // Closed before we started: nothing in it is "latest".
            started.set(shardId, Promise.resolve());
            finished.add(shardId);
            continue;
          }
          const startAt = fromLatest ? 'LATEST' : 'TRIM_HORIZON';
          started.set(
            shardId,
            readShard(streamArn, shardId, startAt).then(() => {
              if (abort.signal.aborted) return;
              finished.add(shardId);
              // A closed shard usually has children waiting: look for them now.
              wakeDiscovery?.();
            }),
          );
        }
        firstListing = false;
      } catch (error) {
        if (abort.signal.aborted) break;
        report(error);
      }
      await new Promise<void>((resolve) => {
        wakeDiscovery = resolve;
        void abortableSleep(options.shardDiscoveryMs ?? 5_000, abort.signal).then(resolve);
      });
      wakeDiscovery = undefined;
    }
    await Promise.all(started.values());
  }

  const followers = options.streamArns.map((arn) => followStream(arn));
  return {
    async stop() {
      abort.abort();
      await Promise.all(followers);
    },
  };
}
