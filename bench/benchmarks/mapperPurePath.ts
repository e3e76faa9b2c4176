/**
 * Benchmark: the event-mapper handler, stream records to delivery jobs for 10 matching webhooks, without I/O.
 */

import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { buildEventMapperHandler } from '../../functions/event-mapper/buildEventMapperHandler';
import { type EventMapperConfig, SQS_MAX_MESSAGE_BYTES } from '../../functions/event-mapper/config';
import { createLambdaContext } from '../../infra/local/lambdaContext';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import { defaultCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { itemJsonBytes, streamRecordMix } from '../fixtures/crmRecords';
import { matchingWebhooks } from '../fixtures/webhooks';
import { quietObservability } from '../lib/quietObservability';
import { pairedFigure, quantile, type Rates, repeatFor } from '../lib/stats';
import type { Benchmark } from '../lib/types';

const WEBHOOKS = 10;
/** The CDK stack's default stream batch size for the event mapper. */
const BATCH_SIZE = 100;

/** Stands in for SQS: accepts every job, keeps only counts (no I/O, so the mapper's own CPU is measured). */
class InMemoryJobSink {
  messages = 0;
  bytes = 0;
  async send(messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> {
    this.messages += messages.length;
    for (const message of messages) this.bytes += message.body.length;
    return messages.map((message) => ({ entryId: message.entryId, status: 'sent' as const }));
  }
}

function toBatches(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent[] {
  const batches: DynamoDBStreamEvent[] = [];
  for (let i = 0; i < records.length; i += BATCH_SIZE) {
    batches.push({ Records: records.slice(i, i + BATCH_SIZE) });
  }
  return batches;
}

/** Figure 1: stream records → fanned-out delivery jobs through the real event-mapper handler. */
export const mapperPurePath: Benchmark = {
  name: 'mapper',
  description: 'event-mapper handler: stream records → delivery jobs for 10 matching webhooks (no I/O)',
  fastInSmoke: true,
  async run({ options, progress }) {
    const records = streamRecordMix({
      count: options.smoke ? 300 : 3000,
      tableName: 'person',
      minItemBytes: 1024,
      maxItemBytes: 4096,
    });
    const batches = toBatches(records);
    const webhooks = matchingWebhooks(WEBHOOKS, (i) => `https://hooks.example.com/${i}`);
    const config: EventMapperConfig = {
      webhooksTable: 'webhooks',
      deliveriesQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries',
      crmSources: defaultCrmSourcesConfig,
      webhookCacheTtlSeconds: 30,
      sqsMaxMessageBytes: SQS_MAX_MESSAGE_BYTES,
      sendConcurrency: 8,
    };
    const sink = new InMemoryJobSink();
    let webhookReads = 0;
    const handler = buildEventMapperHandler(config, {
      webhookStore: {
        listActive: async () => {
          webhookReads++;
          return webhooks;
        },
      },
      jobSender: sink,
      ...quietObservability('event-mapper'),
      now: () => new Date(),
    });
    const invoke = async (event: DynamoDBStreamEvent) =>
      (await handler(
        event,
        createLambdaContext({ functionName: 'event-mapper', timeoutMs: 60_000 }),
      )) as DynamoDBBatchResponse;

    // One checked pass: every record must become exactly one job per webhook, none reported failed.
    for (const batch of batches) {
      const response = await invoke(batch);
      if (response.batchItemFailures.length > 0) throw new Error('mapper benchmark: records reported failed');
    }
    if (sink.messages !== records.length * WEBHOOKS) {
      throw new Error(`mapper benchmark: expected ${records.length * WEBHOOKS} jobs, got ${sink.messages}`);
    }
    const jobBytesPerRecord = sink.bytes / records.length;

    const images = records.map((r) => r.dynamodb?.NewImage ?? r.dynamodb?.OldImage ?? {});
    const baselineConvert = () => {
      for (const image of images) {
        // wrapNumbers: CRM numbers beyond double precision must not throw (nor be rounded).
        JSON.stringify(unmarshall(image as never, { wrapNumbers: true }));
      }
      return images.length;
    };
    // The handler remembers the delivery ids it enqueued (so a retried batch is not sent twice): every
    // pass gets fresh stream event ids, and each pass is checked to have produced all its jobs.
    const streamEventIds = records.map((r) => r.eventID ?? '');
    let pass = 0;
    const mapperRun = async () => {
      pass++;
      records.forEach((record, i) => {
        record.eventID = `${streamEventIds[i]}-${pass}`;
      });
      const before = sink.messages;
      for (const batch of batches) await invoke(batch);
      if (sink.messages - before !== records.length * WEBHOOKS) {
        throw new Error(`mapper benchmark: pass ${pass} produced ${sink.messages - before} jobs`);
      }
      return records.length;
    };

    progress.stage(`mapper: warm-up (${records.length} records, ${batches.length} batches)`);
    await repeatFor(Math.min(1, options.durationSeconds), baselineConvert);
    await repeatFor(Math.min(1, options.durationSeconds), mapperRun);

    const mapperRates: Rates[] = [];
    const baselineRates: Rates[] = [];
    for (let rep = 1; rep <= options.repetitions; rep++) {
      progress.stage(`mapper: repetition ${rep}/${options.repetitions}`);
      // Alternate the order so a slow spell of the machine does not always hit the same side.
      if (rep % 2 === 1) {
        baselineRates.push(await repeatFor(options.durationSeconds, baselineConvert));
        mapperRates.push(await repeatFor(options.durationSeconds, mapperRun));
      } else {
        mapperRates.push(await repeatFor(options.durationSeconds, mapperRun));
        baselineRates.push(await repeatFor(options.durationSeconds, baselineConvert));
      }
    }
    const itemBytes = records.map(itemJsonBytes);
    const mix = { INSERT: 0, MODIFY: 0, REMOVE: 0 } as Record<string, number>;
    for (const record of records) mix[record.eventName ?? ''] = (mix[record.eventName ?? ''] ?? 0) + 1;

    const cpuMicros = (rates: Rates[]) =>
      quantile(
        rates.map((r) => r.cpuMicrosPerOp),
        0.5,
      ).toFixed(1);
    return {
      highlights: [
        `Mapper CPU per record: ${cpuMicros(mapperRates)} µs (baseline ${cpuMicros(baselineRates)} µs), ${WEBHOOKS} jobs each.`,
      ],
      figures: [
        pairedFigure({
          id: 'mapper.recordsPerSecond',
          benchmark: 'mapper',
          title: `Mapper: stream records → jobs for ${WEBHOOKS} webhooks`,
          unit: 'records/s',
          higherIsBetter: true,
          values: mapperRates.map((r) => r.cpu),
          baseline: {
            title: 'unmarshall + JSON.stringify of the same records',
            values: baselineRates.map((r) => r.cpu),
          },
          target: { on: 'ratio', comparison: '>=', threshold: 0.5 },
          notes:
            'Real buildEventMapperHandler (middy, Powertools, mapStreamRecord, matchesOperation, encodeDeliveryJobs) with an in-memory webhook source and job sink. Rates are per second of process CPU time (one core), so other load on the machine does not skew them; wall-clock rates are in the details.',
        }),
      ],
      details: {
        records: records.length,
        batchSize: BATCH_SIZE,
        webhooks: WEBHOOKS,
        eventMix: mix,
        itemJsonBytes: {
          min: Math.min(...itemBytes),
          median: quantile(itemBytes, 0.5),
          max: Math.max(...itemBytes),
        },
        jobsPerRecord: WEBHOOKS,
        jobBodyBytesPerRecord: Math.round(jobBytesPerRecord),
        webhookTableReads: webhookReads,
        cpuMicrosPerRecord: {
          mapper: mapperRates.map((r) => Math.round(r.cpuMicrosPerOp * 10) / 10),
          baseline: baselineRates.map((r) => Math.round(r.cpuMicrosPerOp * 10) / 10),
        },
        wallClockRecordsPerSecond: {
          mapper: mapperRates.map((r) => Math.round(r.wall)),
          baseline: baselineRates.map((r) => Math.round(r.wall)),
        },
      },
    };
  },
};
