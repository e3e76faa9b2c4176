/** Maps a batch of stream records to events and fans each out to its matching webhooks as delivery jobs. */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import type { OutgoingMessage, SendOutcome } from '../../shared/adapters/sqs/deliveryJobSender';
import type { CrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { encodeDeliveryJobs } from '../../shared/domain/delivery/deliveryJob';
import type { CrmEvent } from '../../shared/domain/events/crmEvent';
import { mapStreamRecord } from '../../shared/domain/events/mapStreamRecord';
import { findTableForSource, tableNameFromStreamArn } from '../../shared/domain/events/tableForStreamArn';
import { isExactOnlyEvent } from '../../shared/domain/operations/isExactOnlyEvent';
import { matchesOperation } from '../../shared/domain/operations/matchesOperation';
import type { PayloadFormat, Webhook } from '../../shared/domain/webhooks/webhook';
import { matchesFilter, type WebhookFilter } from '../../shared/domain/webhooks/webhookFilter';
import type { RecordSkipReason } from '../../shared/observability/metricCatalog';

/**
 * Why a record produced no event (the `reason` dimension of `RecordsSkipped`). None of these is
 * retried: retrying cannot change the answer. The list lives in the metric catalog so alarms can name
 * a reason; `skip(index, result.reason)` below does not compile if the mapping gains an unlisted one.
 */
export type SkipReason = RecordSkipReason;

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
  activeWebhooks: (workspaceId: string) => Promise<readonly Webhook[]>;
  sendJobs: (messages: readonly OutgoingMessage[]) => Promise<SendOutcome[]>;
  /** Jobs enqueued lately, by event id (see `RecentlyEnqueuedJobs`); `add` keeps the array it is given. */
  recentlyEnqueued: {
    enqueuedWebhooks(eventId: string): readonly string[] | undefined;
    add(eventId: string, webhookIds: readonly string[]): void;
  };
  logger: Pick<Logger, 'warn' | 'error'>;
}

interface PendingRecord {
  index: number;
  event: CrmEvent;
  /** The webhooks its event goes to; unset when its webhooks could not be read. */
  targets?: MatchingWebhooks;
  /** The webhook ids whose job SQS refused (only set on failure). */
  refused?: Set<string>;
}

/** A message to send and the record it belongs to, so a failed entry maps straight back to it. */
interface QueuedJob {
  message: OutgoingMessage;
  from: PendingRecord;
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

  const queued: QueuedJob[] = [];
  const matching = new MatchingWebhooksByEvent(webhooksByWorkspace, deps.crmSources);
  for (const pendingRecord of pending) {
    const { index, event } = pendingRecord;
    const matched = matching.get(event);
    const targets = matched === undefined ? undefined : withFilterApplied(matched, event);
    if (targets === undefined) {
      report.outcomes[index] = { status: 'failed', reason: 'webhooks-unavailable' };
      continue;
    }
    pendingRecord.targets = targets;
    const known = deps.recentlyEnqueued.enqueuedWebhooks(event.eventId);
    const jobs = encodeDeliveryJobs(event, targets.ids, targets.payloadFormats);
    jobs.forEach((job, j) => {
      if (known?.includes(job.webhookId)) {
        report.jobsAlreadyEnqueued++;
        return;
      }
      queued.push({
        // The entry id names the record and the job, as the logs of a refused entry do.
        message: {
          entryId: `r${index}-j${j}`,
          body: job.body,
          attributes: targets.attributes[j] as Record<string, string>,
        },
        from: pendingRecord,
      });
    });
    report.outcomes[index] = { status: 'enqueued', event, jobs: jobs.length };
  }

  if (queued.length > 0) {
    const sendOutcomes = await deps.sendJobs(queued.map((job) => job.message));
    sendOutcomes.forEach((outcome, m) => {
      if (outcome.status === 'sent') {
        report.jobsEnqueued++;
        return;
      }
      const { message, from } = queued[queuedIndexOf(queued, outcome.entryId, m)] as QueuedJob;
      from.refused ??= new Set<string>();
      from.refused.add(message.attributes.webhookId as string);
      const record = records[from.index] as DynamoDBRecord;
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
        report.outcomes[from.index] = { status: 'failed', reason: 'jobs-too-large' };
      } else {
        report.sendFailures++;
        deps.logger.error('SQS did not accept a delivery job; the record will be retried', {
          ...recordReference(record),
          entryId: outcome.entryId,
          code: outcome.code,
          senderFault: outcome.senderFault,
          attempts: outcome.attempts,
        });
        if (report.outcomes[from.index]?.status !== 'failed') {
          report.outcomes[from.index] = { status: 'failed', reason: 'send-failed' };
        }
      }
    });
  }
  for (const { event, targets, refused } of pending) {
    if (targets === undefined) continue;
    deps.recentlyEnqueued.add(
      event.eventId,
      refused === undefined ? targets.ids : targets.ids.filter((id) => !refused.has(id)),
    );
  }
  return report;
}

/** One read per workspace in the batch; a workspace whose read fails is absent from the map. */
async function loadWebhooks(
  pending: readonly PendingRecord[],
  records: readonly DynamoDBRecord[],
  deps: FanOutDependencies,
): Promise<Map<string, readonly Webhook[]>> {
  const workspaces = [...new Set(pending.map((p) => p.event.workspaceId))];
  const loaded = await Promise.allSettled(workspaces.map((workspaceId) => deps.activeWebhooks(workspaceId)));
  const byWorkspace = new Map<string, readonly Webhook[]>();
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

/** The active webhooks of a workspace that subscribe to an event, with their SQS message attributes. */
interface MatchingWebhooks {
  ids: readonly string[];
  /** Parallel to `ids`. */
  payloadFormats: readonly PayloadFormat[];
  attributes: readonly Record<string, string>[];
  /** Parallel to `ids`; undefined when none of these webhooks has a filter (the common case). */
  filters?: readonly (WebhookFilter | undefined)[];
}

/**
 * The matching webhooks whose filter this event passes. Without filters the shared arrays are returned
 * as they are; the record is parsed at most once per event, and only for a `where`. Deletes are matched
 * on the record before the change (`dataJson`).
 */
function withFilterApplied(targets: MatchingWebhooks, event: CrmEvent): MatchingWebhooks {
  const filters = targets.filters;
  if (filters === undefined) return targets;
  let record: Record<string, unknown> | undefined;
  const fields = () => {
    record ??= JSON.parse(event.dataJson) as Record<string, unknown>;
    return record;
  };
  const kept: number[] = [];
  for (let i = 0; i < filters.length; i++) {
    if (matchesFilter(filters[i], event, fields)) kept.push(i);
  }
  if (kept.length === filters.length) return targets;
  return {
    ids: kept.map((i) => targets.ids[i] as string),
    payloadFormats: kept.map((i) => targets.payloadFormats[i] as PayloadFormat),
    attributes: kept.map((i) => targets.attributes[i] as Record<string, string>),
  };
}

/**
 * Matching webhooks per (workspace, event name), computed once per batch: a batch has few distinct
 * pairs, and every record of a pair then shares the same arrays (no per-job allocation).
 */
class MatchingWebhooksByEvent {
  /** A plain Map, not lru-cache: it lives for one batch, so it needs no bound or expiry. */
  private readonly cache = new Map<string, Map<string, MatchingWebhooks>>();

  constructor(
    private readonly webhooksByWorkspace: ReadonlyMap<string, readonly Webhook[]>,
    private readonly crmSources: CrmSourcesConfig,
  ) {}

  /** Undefined when the workspace's webhooks could not be read. */
  get(event: CrmEvent): MatchingWebhooks | undefined {
    const { workspaceId, name: eventName } = event;
    let byName = this.cache.get(workspaceId);
    if (byName === undefined) {
      if (!this.webhooksByWorkspace.has(workspaceId)) return undefined;
      byName = new Map();
      this.cache.set(workspaceId, byName);
    }
    let matching = byName.get(eventName);
    if (matching === undefined) {
      const exactOnly = isExactOnlyEvent(this.crmSources.objects, event.object, event.action);
      const webhooks = (this.webhooksByWorkspace.get(workspaceId) ?? []).filter(
        (webhook) =>
          webhook.status === 'active' && matchesOperation(webhook.operations, eventName, exactOnly),
      );
      const ids = webhooks.map((webhook) => webhook.id);
      matching = {
        ids,
        payloadFormats: webhooks.map((webhook) => webhook.payloadFormat),
        attributes: ids.map((webhookId) => ({ webhookId })),
        ...(webhooks.some((webhook) => webhook.filter !== undefined)
          ? { filters: webhooks.map((webhook) => webhook.filter) }
          : {}),
      };
      byName.set(eventName, matching);
    }
    return matching;
  }
}

/** The sender answers in input order; the entry id check keeps this correct if one ever does not. */
function queuedIndexOf(queued: readonly QueuedJob[], entryId: string, expected: number): number {
  return queued[expected]?.message.entryId === entryId
    ? expected
    : queued.findIndex((job) => job.message.entryId === entryId);
}
