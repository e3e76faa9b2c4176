import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import type { CrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { encodeDeliveryJobs } from '../../shared/domain/delivery/deliveryJob';
import type { CrmEvent } from '../../shared/domain/events/crmEvent';
import { type MapErrorReason, mapStreamRecord } from '../../shared/domain/events/mapStreamRecord';
import { findTableForSource, tableNameFromStreamArn } from '../../shared/domain/events/tableForStreamArn';
import { matchesOperation } from '../../shared/domain/operations/matchesOperation';
import type { Webhook } from '../../shared/domain/webhooks/webhook';

/** Why a record produced no event. None of these is retried: retrying cannot change the answer. */
export type SkipReason = 'no-change' | 'unknown-table' | MapErrorReason;

/** Why a record's jobs did not all reach the queue. These records are reported to Lambda as failed. */
export type FailureReason = 'webhooks-unavailable' | 'jobs-too-large' | 'send-failed';

export type RecordOutcome =
  | { status: 'skipped'; reason: SkipReason }
  /** `jobs` is 0 when no active webhook subscribes to the event. */
  | { status: 'enqueued'; event: CrmEvent; jobs: number }
  | { status: 'failed'; reason: FailureReason };

export interface BatchReport {
  /** One outcome per input record, same order. */
  outcomes: RecordOutcome[];
  eventsByAction: Map<string, number>;
  skippedByReason: Map<SkipReason, number>;
  jobsEnqueued: number;
  /** Jobs not sent again because this container enqueued them in an earlier try of the batch. */
  jobsAlreadyEnqueued: number;
  jobsTooLarge: number;
  /** Jobs SQS did not accept (after retries), oversized ones excluded. */
  sendFailures: number;
}

export interface FanOutDependencies {
  crmSources: CrmSourcesConfig;
  /** Active webhooks of a workspace (cached). */
  activeWebhooks: (workspaceId: string) => Promise<Webhook[]>;
  sendJobs: (messages: readonly OutgoingMessage[]) => Promise<SendOutcome[]>;
  recentlyEnqueued: { has(deliveryId: string): boolean; add(deliveryId: string): void };
  logger: Pick<Logger, 'warn' | 'error'>;
}

interface PendingRecord {
  index: number;
  event: CrmEvent;
}

/**
 * One stream batch → delivery jobs on the queue. Maps every record, reads each workspace's webhooks
 * once, sends all jobs of the batch together (so SendMessageBatch requests are full) and says, per
 * record, whether it is done, deliberately skipped, or must be retried.
 */
export async function fanOutStreamBatch(
  records: readonly DynamoDBRecord[],
  deps: FanOutDependencies,
): Promise<BatchReport> {
  const report: BatchReport = {
    outcomes: new Array<RecordOutcome>(records.length),
    eventsByAction: new Map(),
    skippedByReason: new Map(),
    jobsEnqueued: 0,
    jobsAlreadyEnqueued: 0,
    jobsTooLarge: 0,
    sendFailures: 0,
  };
  const skip = (index: number, reason: SkipReason) => {
    report.outcomes[index] = { status: 'skipped', reason };
    increment(report.skippedByReason, reason);
  };

  const pending: PendingRecord[] = [];
  records.forEach((record, index) => {
    const table = findTableForSource(record.eventSourceARN ?? '', deps.crmSources);
    if (table === undefined) {
      deps.logger.warn('Skipping a record from a table that is not configured', {
        ...recordReference(record),
        reason: 'unknown-table',
      });
      skip(index, 'unknown-table');
      return;
    }
    const result = mapStreamRecord(record, table, deps.crmSources);
    if (result.kind === 'skip') {
      skip(index, result.reason);
    } else if (result.kind === 'error') {
      deps.logger.warn('Skipping a record that cannot be mapped to an event', {
        ...recordReference(record),
        reason: result.reason,
        detail: result.message,
      });
      skip(index, result.reason);
    } else {
      increment(report.eventsByAction, result.event.action);
      pending.push({ index, event: result.event });
    }
  });

  const webhooksByWorkspace = await loadWebhooks(pending, records, deps);

  const messages: OutgoingMessage[] = [];
  const recordOfEntry = new Map<string, number>();
  const deliveryIdOfEntry = new Map<string, string>();
  for (const { index, event } of pending) {
    const webhooks = webhooksByWorkspace.get(event.workspaceId);
    if (webhooks === undefined) {
      report.outcomes[index] = { status: 'failed', reason: 'webhooks-unavailable' };
      continue;
    }
    const webhookIds = webhooks
      .filter((webhook) => webhook.status === 'active' && matchesOperation(webhook.operations, event.name))
      .map((webhook) => webhook.id);
    const jobs = encodeDeliveryJobs(event, webhookIds);
    jobs.forEach((job, jobIndex) => {
      if (deps.recentlyEnqueued.has(job.deliveryId)) {
        report.jobsAlreadyEnqueued++;
        return;
      }
      // The entry id names the record and the job, so a failed entry maps straight back to its record.
      const entryId = `r${index}-j${jobIndex}`;
      recordOfEntry.set(entryId, index);
      deliveryIdOfEntry.set(entryId, job.deliveryId);
      messages.push({ entryId, body: job.body, attributes: { webhookId: job.webhookId } });
    });
    report.outcomes[index] = { status: 'enqueued', event, jobs: jobs.length };
  }

  if (messages.length > 0) {
    const sendOutcomes = await deps.sendJobs(messages);
    for (const outcome of sendOutcomes) {
      const index = recordOfEntry.get(outcome.entryId) as number;
      if (outcome.status === 'sent') {
        report.jobsEnqueued++;
        deps.recentlyEnqueued.add(deliveryIdOfEntry.get(outcome.entryId) as string);
        continue;
      }
      const record = records[index] as DynamoDBRecord;
      if (outcome.status === 'too-large') {
        report.jobsTooLarge++;
        deps.logger.error(
          'A delivery job is larger than SQS accepts; the record goes to the failure destination',
          {
            ...recordReference(record),
            entryId: outcome.entryId,
            sizeBytes: outcome.sizeBytes,
          },
        );
        report.outcomes[index] = { status: 'failed', reason: 'jobs-too-large' };
      } else {
        report.sendFailures++;
        deps.logger.error('SQS did not accept a delivery job; the record will be retried', {
          ...recordReference(record),
          entryId: outcome.entryId,
          code: outcome.code,
          senderFault: outcome.senderFault,
          attempts: outcome.attempts,
        });
        if (report.outcomes[index]?.status !== 'failed') {
          report.outcomes[index] = { status: 'failed', reason: 'send-failed' };
        }
      }
    }
  }
  return report;
}

/** One read per workspace in the batch; a workspace whose read fails is absent from the map. */
async function loadWebhooks(
  pending: readonly PendingRecord[],
  records: readonly DynamoDBRecord[],
  deps: FanOutDependencies,
): Promise<Map<string, Webhook[]>> {
  const workspaces = [...new Set(pending.map((p) => p.event.workspaceId))];
  const loaded = await Promise.allSettled(workspaces.map((workspaceId) => deps.activeWebhooks(workspaceId)));
  const byWorkspace = new Map<string, Webhook[]>();
  loaded.forEach((result, i) => {
    const workspaceId = workspaces[i] as string;
    if (result.status === 'fulfilled') {
      byWorkspace.set(workspaceId, result.value);
      return;
    }
    const affected = pending.filter((p) => p.event.workspaceId === workspaceId).length;
    deps.logger.error('Could not read the webhooks of a workspace; its records will be retried', {
      workspaceId,
      records: affected,
      firstRecord: recordReference(
        records[pending.find((p) => p.event.workspaceId === workspaceId)?.index ?? 0],
      ),
      error: errorSummary(result.reason),
    });
  });
  return byWorkspace;
}

/** What identifies a record in logs: where it comes from and its key, never its attributes. */
function recordReference(record: DynamoDBRecord | undefined): Record<string, unknown> {
  const arn = record?.eventSourceARN ?? '';
  return {
    table: tableNameFromStreamArn(arn) ?? arn,
    eventID: record?.eventID,
    eventName: record?.eventName,
    sequenceNumber: record?.dynamodb?.SequenceNumber,
    keys: record?.dynamodb?.Keys,
  };
}

function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
