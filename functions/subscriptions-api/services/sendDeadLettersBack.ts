/** Sends dead letters back to the deliveries queue, then removes the index entries SQS accepted. */

import type { DeadLetterIndex } from '../../../shared/adapters/dynamodb/deadLetterIndex';
import type { DeliveryJobSender, OutgoingMessage } from '../../../shared/adapters/sqs/deliveryJobSender';
import type { DeadLetter } from '../../../shared/domain/delivery/deadLetter';
import { encodeDeliveryJob, WEBHOOK_ID_ATTRIBUTE } from '../../../shared/domain/delivery/deliveryJob';
import { redrivenJobOf } from '../../../shared/domain/delivery/redrivenJob';

/**
 * Sends dead letters back to the deliveries queue (attempt 1, redriveCount + 1), then removes exactly
 * the index entries whose copies SQS accepted: a crash in between duplicates a job, never loses one.
 * Returns how many went back; entries SQS refused stay in the index.
 */
export async function sendDeadLettersBack(
  deps: { deadLetters: Pick<DeadLetterIndex, 'remove'>; jobSender: Pick<DeliveryJobSender, 'send'> },
  entries: readonly DeadLetter[],
): Promise<number> {
  const messages: OutgoingMessage[] = [];
  const sendable: DeadLetter[] = [];
  for (const entry of entries) {
    const redriven = redrivenJobOf(entry.jobBody);
    // The index only holds bodies the delivery function decoded; a corrupt one stays for a human.
    if (!redriven.ok) continue;
    messages.push({
      entryId: `d${sendable.length}`,
      body: encodeDeliveryJob(redriven.job),
      attributes: { [WEBHOOK_ID_ATTRIBUTE]: entry.webhookId },
    });
    sendable.push(entry);
  }
  if (messages.length === 0) return 0;
  const outcomes = await deps.jobSender.send(messages);
  const sent = sendable.filter((_, index) => outcomes[index]?.status === 'sent');
  await Promise.all(sent.map((entry) => deps.deadLetters.remove(entry)));
  return sent.length;
}
