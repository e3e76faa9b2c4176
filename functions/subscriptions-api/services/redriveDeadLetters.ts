/** Sends a webhook's dead letters back to the deliveries queue, a page at a time within a time budget. */

import type { DeadLetterIndex } from '../../../shared/adapters/dynamodb/deadLetterIndex';
import type { DeliveryJobSender } from '../../../shared/adapters/sqs/deliveryJobSender';
import { WebhookDisabledError } from '../../../shared/domain/errors';
import type { Webhook } from '../../../shared/domain/webhooks/webhook';
import { sendDeadLettersBack } from './sendDeadLettersBack';

/** Dead letters read (and sent back) per index page: 10 SendMessageBatch requests. */
const PAGE_SIZE = 100;

export interface RedriveOutcome {
  /** Jobs sent back to the deliveries queue by this call. */
  redriven: number;
  /** True when the time budget ran out first: call again to move the rest. */
  more: boolean;
}

/**
 * Moves every dead letter of one webhook back, reading only that webhook's index (a Query on its
 * partition), page after page, until the index is exhausted or `budgetMs` is spent. The cursor only
 * moves forward, so a job that fails again and is dead-lettered during the call is not sent twice by
 * the same call.
 */
export async function redriveDeadLetters(
  deps: {
    deadLetters: Pick<DeadLetterIndex, 'list' | 'remove'>;
    jobSender: Pick<DeliveryJobSender, 'send'>;
    now: () => Date;
  },
  webhook: Webhook,
  budgetMs: number,
): Promise<RedriveOutcome> {
  // Jobs of a disabled webhook are skipped by the delivery function: redriving them would lose them.
  if (webhook.status !== 'active') throw new WebhookDisabledError(webhook.id, 'redrive its jobs');
  const deadline = deps.now().getTime() + budgetMs;
  let cursor: string | undefined;
  let redriven = 0;
  do {
    if (deps.now().getTime() >= deadline) return { redriven, more: true };
    const page = await deps.deadLetters.list(webhook.id, {
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    redriven += await sendDeadLettersBack(deps, page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { redriven, more: false };
}
