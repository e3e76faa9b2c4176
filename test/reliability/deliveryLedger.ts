import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import type { DeliveryJob } from '../../shared/domain/delivery/deliveryJob';
import { deliveryIdFor } from '../../shared/domain/delivery/stableIds';
import type { ReceivedRequest, ScriptedResponse } from '../helpers/signatureVerifyingReceiver';

/** How a receiver chose to answer one request. Only `ok` (a 2xx, written at once) counts as delivered. */
export type AnswerKind = 'ok' | 'server-error' | 'hang' | 'reset' | 'too-many-requests';

export interface LedgerEntry {
  webhookId: string;
  pair: string;
  /** The `webhook-id` header the request carried. */
  webhookIdHeader: string;
  /** `deliveryIdFor(webhookId, eventId)` from the body: what the header must be on every attempt. */
  expectedDeliveryId: string;
  verified: boolean;
  answer: AnswerKind;
  receivedAt: number;
}

/** One expected delivery: an (event, webhook) pair, named by what the test wrote. */
export function pairKey(webhookId: string, event: string, recordId: string): string {
  return `${webhookId}|${event}|${recordId}`;
}

/** Every request every receiver saw, with the answer it got. */
export class DeliveryLedger {
  readonly entries: LedgerEntry[] = [];

  note(webhookId: string, request: ReceivedRequest, answer: AnswerKind): void {
    const body = JSON.parse(request.body) as {
      event: string;
      eventId: string;
      webhookId: string;
      data: { id: string };
    };
    this.entries.push({
      webhookId,
      pair: pairKey(body.webhookId, body.event, body.data.id),
      webhookIdHeader: String(request.headers['webhook-id']),
      expectedDeliveryId: deliveryIdFor(webhookId, body.eventId),
      verified: request.verified,
      answer,
      receivedAt: request.receivedAt,
    });
  }

  /** Pairs with at least one verified 2xx answer. */
  deliveredPairs(): Map<string, number> {
    const delivered = new Map<string, number>();
    for (const entry of this.entries) {
      if (entry.answer === 'ok' && entry.verified) {
        delivered.set(entry.pair, (delivered.get(entry.pair) ?? 0) + 1);
      }
    }
    return delivered;
  }
}

/** Makes a receiver's responder that answers 2xx with probability `okShare` and fails otherwise. */
export function chaosResponder(
  ledger: DeliveryLedger,
  webhookId: string,
  random: () => number,
  { hangMs }: { hangMs: number },
): (request: ReceivedRequest) => ScriptedResponse {
  return (request) => {
    const roll = random();
    // 30 % 5xx, 10 % hang past the sender's timeout, 5 % connection reset, 5 % 429 with Retry-After.
    let answer: AnswerKind = 'ok';
    let response: ScriptedResponse = { status: 200, body: 'ok' };
    if (roll < 0.3) {
      answer = 'server-error';
      response = { status: [500, 502, 503][Math.floor(random() * 3)] as number, body: 'boom' };
    } else if (roll < 0.4) {
      answer = 'hang';
      response = { status: 200, delayMs: hangMs };
    } else if (roll < 0.45) {
      answer = 'reset';
      response = { status: 200, reset: true };
    } else if (roll < 0.5) {
      answer = 'too-many-requests';
      response = { status: 429, headers: { 'retry-after': '1' } };
    }
    ledger.note(webhookId, request, answer);
    return response;
  };
}

export interface Accounting {
  expected: number;
  /** Pairs whose delivery the sender saw acknowledged (2xx) and logged as delivered. */
  delivered: number;
  deadLettered: number;
  requests: number;
  retries: number;
  /** Extra 2xx answers to pairs already answered 2xx (at-least-once re-sends). */
  duplicates: number;
  /**
   * Pairs a receiver answered 2xx whose answer the sender never saw in time (it timed out first) and
   * that then ran out of attempts: dead-lettered although received, which at-least-once allows.
   */
  receivedButDeadLettered: number;
  /** Everything that breaks a promise; empty when the run kept them all. */
  violations: string[];
}

/**
 * Checks the at-least-once promise exactly, from the sender's records (delivery log, DLQ) checked
 * against what the receivers saw: every expected pair is either delivered (logged as delivered, and a
 * receiver verified it and answered 2xx) or in the DLQ and logged as dead-lettered, never both, nothing
 * unexpected; every attempt of a pair carries its stable `webhook-id`.
 */
export function accountFor({
  ledger,
  expectedPairs,
  deadLetters,
  attempts,
}: {
  ledger: DeliveryLedger;
  expectedPairs: ReadonlySet<string>;
  deadLetters: readonly DeliveryJob[];
  attempts: readonly DeliveryAttempt[];
}): Accounting {
  const violations: string[] = [];
  const answeredOk = ledger.deliveredPairs();
  const pairOfDeliveryId = new Map(ledger.entries.map((e) => [e.expectedDeliveryId, e.pair]));
  for (const job of deadLetters) {
    pairOfDeliveryId.set(job.deliveryId, pairKey(job.webhookId, job.event, job.recordId ?? ''));
  }
  const loggedDelivered = new Set<string>();
  const loggedDeadLettered = new Set<string>();
  for (const attempt of attempts) {
    const pair = pairOfDeliveryId.get(attempt.deliveryId);
    // Attempts that never reached a receiver (connect failures) of pairs not dead-lettered tell nothing.
    if (pair === undefined) continue;
    if (attempt.outcome === 'delivered') loggedDelivered.add(pair);
    if (attempt.outcome === 'dead-lettered') loggedDeadLettered.add(pair);
  }
  const deadLettered = new Set<string>();
  for (const job of deadLetters) {
    const key = pairKey(job.webhookId, job.event, job.recordId ?? '');
    if (deadLettered.has(key)) violations.push(`dead-lettered twice: ${key}`);
    deadLettered.add(key);
  }

  let receivedButDeadLettered = 0;
  for (const key of expectedPairs) {
    const isDelivered = loggedDelivered.has(key);
    const isDeadLettered = deadLettered.has(key);
    if (isDelivered && isDeadLettered) violations.push(`delivered and dead-lettered: ${key}`);
    if (!isDelivered && !isDeadLettered)
      violations.push(`lost (neither delivered nor dead-lettered): ${key}`);
    if (isDelivered && !answeredOk.has(key))
      violations.push(`logged as delivered, never answered 2xx: ${key}`);
    if (isDeadLettered && !loggedDeadLettered.has(key)) {
      violations.push(`in the DLQ but not logged as dead-lettered: ${key}`);
    }
    if (isDeadLettered && answeredOk.has(key)) receivedButDeadLettered++;
  }
  for (const key of new Set([...answeredOk.keys(), ...loggedDelivered, ...deadLettered])) {
    if (!expectedPairs.has(key)) violations.push(`unexpected delivery: ${key}`);
  }
  for (const entry of ledger.entries) {
    if (!entry.verified) violations.push(`signature did not verify: ${entry.pair}`);
    if (entry.webhookIdHeader !== entry.expectedDeliveryId) {
      violations.push(`webhook-id ${entry.webhookIdHeader} is not the stable delivery id of ${entry.pair}`);
    }
  }
  let duplicates = 0;
  for (const count of answeredOk.values()) duplicates += count - 1;
  const requests = ledger.entries.length;
  const requestedPairs = new Set(ledger.entries.map((e) => e.pair)).size;
  return {
    expected: expectedPairs.size,
    delivered: [...expectedPairs].filter((key) => loggedDelivered.has(key)).length,
    deadLettered: deadLettered.size,
    requests,
    retries: requests - requestedPairs,
    duplicates,
    receivedButDeadLettered,
    violations: violations
      .slice(0, 20)
      .concat(violations.length > 20 ? [`… ${violations.length} in all`] : []),
  };
}

/** The one line each scenario prints. */
export function printFigures(scenario: string, figures: Record<string, number | string>): void {
  const parts = Object.entries(figures).map(([name, value]) => `${name}=${value}`);
  console.log(`[reliability] ${scenario}: ${parts.join(' ')}`);
}
