import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { decodeDeliveryJob, encodeDeliveryJob } from '../../domain/delivery/deliveryJob';

export const WEBHOOK_ID_ATTRIBUTE = 'webhookId';

export interface RedriveLimits {
  /** Stop after receiving this many DLQ messages (all webhooks counted). */
  maxMessages: number;
  /** Stop receiving after this long; must stay well below `visibilityTimeoutSeconds`. */
  maxDurationMs: number;
  /** How long scanned messages stay hidden, so one scan does not see the same message twice. */
  visibilityTimeoutSeconds: number;
  /** Long-poll wait per receive; a short wait avoids the false "empty" answers of SQS short polling. */
  receiveWaitSeconds: number;
}

export const DEFAULT_REDRIVE_LIMITS: RedriveLimits = {
  maxMessages: 1000,
  maxDurationMs: 20_000,
  visibilityTimeoutSeconds: 30,
  receiveWaitSeconds: 1,
};

export interface RedriveResult {
  /** Jobs of this webhook sent back to the deliveries queue and removed from the DLQ. */
  redriven: number;
  /** DLQ messages looked at (any webhook). */
  scanned: number;
  /** True when the scan stopped at a limit rather than at an empty queue. */
  truncated: boolean;
}

interface Candidate {
  message: Message;
  body: string;
}

/**
 * Moves one webhook's jobs from the dead-letter queue back to the deliveries queue. A job is deleted
 * from the DLQ only after SQS accepted its copy, so a crash can duplicate a job but never lose one.
 * Other webhooks' messages stay hidden for the rest of the scan (so the scan moves forward) and are
 * then made visible again at once.
 */
export class DeadLetterRedrive {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: { deadLetterQueueUrl: string; deliveriesQueueUrl: string },
    private readonly limits: RedriveLimits = DEFAULT_REDRIVE_LIMITS,
  ) {}

  async redrive(webhookId: string): Promise<RedriveResult> {
    const started = Date.now();
    const toRelease: Message[] = [];
    // Copies this scan sent back: if one fails again and returns to the DLQ while the scan still runs
    // (few attempts, short delays), it must not be moved again, or one request would redeliver in a loop.
    const sentBack = new Set<string>();
    let redriven = 0;
    let scanned = 0;
    let truncated = false;
    try {
      while (true) {
        if (scanned >= this.limits.maxMessages || Date.now() - started >= this.limits.maxDurationMs) {
          truncated = true;
          break;
        }
        const received = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queues.deadLetterQueueUrl,
            MaxNumberOfMessages: Math.min(10, this.limits.maxMessages - scanned),
            MessageAttributeNames: [WEBHOOK_ID_ATTRIBUTE],
            VisibilityTimeout: this.limits.visibilityTimeoutSeconds,
            WaitTimeSeconds: this.limits.receiveWaitSeconds,
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        scanned += messages.length;
        const candidates: Candidate[] = [];
        for (const message of messages) {
          const body = sentBack.has(message.MessageId ?? '') ? undefined : redrivenBody(message, webhookId);
          if (body === undefined) toRelease.push(message);
          else candidates.push({ message, body });
        }
        const { moved, failed } = await this.move(webhookId, candidates, sentBack);
        redriven += moved;
        toRelease.push(...failed);
      }
    } finally {
      await this.release(toRelease);
    }
    return { redriven, scanned, truncated };
  }

  /** Sends copies, then deletes exactly the originals whose copies SQS accepted. */
  private async move(
    webhookId: string,
    candidates: Candidate[],
    sentBack: Set<string>,
  ): Promise<{ moved: number; failed: Message[] }> {
    if (candidates.length === 0) return { moved: 0, failed: [] };
    const sent = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queues.deliveriesQueueUrl,
        Entries: candidates.map(({ body }, index) => ({
          Id: String(index),
          MessageBody: body,
          MessageAttributes: { [WEBHOOK_ID_ATTRIBUTE]: { DataType: 'String', StringValue: webhookId } },
        })),
      }),
    );
    const sentIds = new Set((sent.Successful ?? []).map((entry) => entry.Id));
    for (const entry of sent.Successful ?? []) if (entry.MessageId) sentBack.add(entry.MessageId);
    const movedMessages = candidates.filter((_, index) => sentIds.has(String(index))).map((c) => c.message);
    const failed = candidates.filter((_, index) => !sentIds.has(String(index))).map((c) => c.message);
    if (movedMessages.length > 0) {
      // A failed delete leaves a copy in the DLQ: a possible duplicate later, never a lost job.
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queues.deadLetterQueueUrl,
          Entries: movedMessages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    return { moved: movedMessages.length, failed };
  }

  private async release(messages: Message[]): Promise<void> {
    for (let offset = 0; offset < messages.length; offset += 10) {
      const batch = messages.slice(offset, offset + 10);
      await this.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queues.deadLetterQueueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        )
        // Not fatal: unreleased messages become visible by themselves when their timeout ends.
        .catch(() => undefined);
    }
  }
}

/**
 * The body to send back for a DLQ message of this webhook (redrive count incremented), or undefined if
 * the message belongs to another webhook or is not a delivery job (it stays in the DLQ for a human).
 */
function redrivenBody(message: Message, webhookId: string): string | undefined {
  const attribute = message.MessageAttributes?.[WEBHOOK_ID_ATTRIBUTE]?.StringValue;
  if (attribute !== undefined && attribute !== webhookId) return undefined;
  const decoded = decodeDeliveryJob(message.Body ?? '');
  if (!decoded.ok || decoded.job.webhookId !== webhookId) return undefined;
  // A redriven job starts its attempts afresh, due at once.
  const { attempt: _attempt, notBefore: _notBefore, ...job } = decoded.job;
  return encodeDeliveryJob({ ...job, redriveCount: (job.redriveCount ?? 0) + 1 });
}
