import { describe, expect, it } from 'vitest';
import { redriveDeadLetters } from '../../../../../functions/subscriptions-api/services/redriveDeadLetters';
import type { OutgoingMessage, SendOutcome } from '../../../../../shared/adapters/sqs/deliveryJobSender';
import type { DeadLetter } from '../../../../../shared/domain/delivery/deadLetter';
import {
  decodeDeliveryJob,
  encodeDeliveryJob,
  encodeDeliveryJobs,
} from '../../../../../shared/domain/delivery/deliveryJob';
import type { Webhook } from '../../../../../shared/domain/webhooks/webhook';
import { crmEvent } from '../../../../helpers/sqsEvents';

/**
 * The redrive loop over an in-memory index with the DynamoDB adapter's paging semantics (pages of
 * `limit`, a cursor that moves forward past removed entries) and a clock the test advances.
 */
class PagedIndex {
  readonly entries = new Map<string, DeadLetter>();
  pagesRead = 0;
  constructor(private readonly onPage: () => void = () => {}) {}

  async list(webhookId: string, { limit, cursor }: { limit: number; cursor?: string }) {
    this.pagesRead++;
    this.onPage();
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(`${webhookId}#`)).sort();
    const after = cursor === undefined ? keys : keys.filter((k) => k > cursor);
    const page = after.slice(0, limit);
    return {
      items: page.map((k) => this.entries.get(k) as DeadLetter),
      nextCursor: after.length > limit ? (page.at(-1) ?? null) : null,
    };
  }
  async get(webhookId: string, deliveryId: string) {
    return this.entries.get(`${webhookId}#${deliveryId}`);
  }
  async remove(entry: DeadLetter) {
    return this.entries.delete(`${entry.webhookId}#${entry.deliveryId}`);
  }
}

const webhook = { id: 'wh_redrive0001', workspaceId: 'ws-1', status: 'active' } as Webhook;

function fill(index: PagedIndex, count: number) {
  for (let i = 0; i < count; i++) {
    const [job] = encodeDeliveryJobs(crmEvent(), [webhook.id]);
    const decoded = decodeDeliveryJob(job!.body);
    if (!decoded.ok) throw new Error(decoded.error);
    index.entries.set(`${webhook.id}#${job!.deliveryId}`, {
      webhookId: webhook.id,
      workspaceId: 'ws-1',
      deliveryId: job!.deliveryId,
      eventId: decoded.job.eventId,
      event: decoded.job.event,
      attempts: 10,
      cause: 'timeout',
      deadLetteredAt: new Date().toISOString(),
      jobBody: encodeDeliveryJob({ ...decoded.job, attempt: 10, notBefore: 1 }),
    });
  }
}

const sender = (sent: OutgoingMessage[], refuse = () => false) => ({
  send: async (messages: OutgoingMessage[]): Promise<SendOutcome[]> =>
    messages.map((m): SendOutcome => {
      if (refuse()) {
        return {
          entryId: m.entryId,
          status: 'failed',
          code: 'InternalError',
          senderFault: false,
          attempts: 3,
        };
      }
      sent.push(m);
      return { entryId: m.entryId, status: 'sent' };
    }),
});

const now = () => new Date();

describe('redriveDeadLetters', () => {
  it('pages through the whole index within the budget', async () => {
    const index = new PagedIndex();
    fill(index, 250);
    const sent: OutgoingMessage[] = [];
    const result = await redriveDeadLetters(
      { deadLetters: index, jobSender: sender(sent), now },
      webhook,
      1_000,
    );
    expect(result).toEqual({ redriven: 250, more: false });
    expect(index.pagesRead).toBe(3);
    expect(index.entries.size).toBe(0);
    const job = decodeDeliveryJob(sent[0]!.body);
    expect(job.ok && [job.job.attempt, job.job.notBefore, job.job.redriveCount]).toEqual([
      undefined,
      undefined,
      1,
    ]);
  });

  it('answers more: true when the budget runs out, and the next call carries on', async () => {
    let clock = 0;
    // Each page read takes 600 ms of the 1 s budget.
    const index = new PagedIndex(() => {
      clock += 600;
    });
    fill(index, 250);
    const deps = { deadLetters: index, jobSender: sender([]), now: () => new Date(clock) };
    const first = await redriveDeadLetters(deps, webhook, 1_000);
    expect(first).toEqual({ redriven: 200, more: true });
    const second = await redriveDeadLetters(deps, webhook, 1_000);
    expect(second).toEqual({ redriven: 50, more: false });
  });

  it('keeps entries SQS refused, and moves past them', async () => {
    const index = new PagedIndex();
    fill(index, 120);
    let calls = 0;
    const result = await redriveDeadLetters(
      { deadLetters: index, jobSender: sender([], () => calls++ % 2 === 0), now },
      webhook,
      1_000,
    );
    expect(result).toEqual({ redriven: 60, more: false });
    expect(index.entries.size).toBe(60);
  });

  it('refuses a disabled webhook', async () => {
    await expect(
      redriveDeadLetters(
        { deadLetters: new PagedIndex(), jobSender: sender([]), now },
        { ...webhook, status: 'disabled' },
        1_000,
      ),
    ).rejects.toThrow(/disabled/);
  });
});
