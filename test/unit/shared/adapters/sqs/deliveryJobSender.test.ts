import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsLocal, startSqsLocal } from '../../../../../infra/local/emulators/sqsLocal';
import {
  DeliveryJobSender,
  MAX_BATCH_ENTRIES,
  messageSizeBytes,
  type OutgoingMessage,
  packIntoBatches,
} from '../../../../../shared/adapters/sqs/deliveryJobSender';

const MIB = 1_048_576;
let sqsLocal: SqsLocal;
let queueCounter = 0;

beforeAll(async () => {
  sqsLocal = await startSqsLocal();
});

afterAll(async () => {
  await sqsLocal.stop();
});

function newQueue(): string {
  queueCounter += 1;
  return sqsLocal.createDeliveryQueues({
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 300,
    prefix: `s${queueCounter}-`,
  }).deliveriesQueueUrl;
}

/** A real client against fauxqs that records every SendMessageBatch request and the peak in flight. */
function observedClient() {
  const client = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  const requests: SendMessageBatchCommandInput[] = [];
  const flight = { now: 0, peak: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      requests.push(args.input as SendMessageBatchCommandInput);
      flight.now += 1;
      flight.peak = Math.max(flight.peak, flight.now);
      try {
        return await next(args);
      } finally {
        flight.now -= 1;
      }
    },
    { step: 'initialize', name: 'observeBatches' },
  );
  return { client, requests, flight };
}

async function receiveAll(client: SQSClient, queueUrl: string) {
  const received: { body: string; webhookId: string | undefined }[] = [];
  for (;;) {
    const page = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = page.Messages ?? [];
    if (messages.length === 0) return received;
    for (const m of messages) {
      received.push({ body: m.Body ?? '', webhookId: m.MessageAttributes?.webhookId?.StringValue });
    }
  }
}

const message = (i: number, body: string): OutgoingMessage => ({
  entryId: `m${i}`,
  body,
  attributes: { webhookId: `wh_${i}` },
});

const requestBytes = (request: SendMessageBatchCommandInput) =>
  (request.Entries ?? []).reduce(
    (sum, e) =>
      sum +
      messageSizeBytes(e.MessageBody ?? '', { webhookId: e.MessageAttributes?.webhookId?.StringValue ?? '' }),
    0,
  );

describe('messageSizeBytes', () => {
  it('counts UTF-8 body bytes plus name, data type and value of each attribute, as SQS does', () => {
    expect(messageSizeBytes('héllo', { webhookId: 'wh_1' })).toBe(
      6 + 'webhookId'.length + 'String'.length + 4,
    );
    expect(messageSizeBytes('{}', {})).toBe(2);
  });
});

describe('packIntoBatches', () => {
  const items = (sizes: number[]) => sizes.map((size, i) => ({ i, size }));

  it('closes a request at 10 entries', () => {
    const batches = packIntoBatches(items(Array(23).fill(10)), MIB);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('closes a request before the total size would pass the limit, keeping order', () => {
    const batches = packIntoBatches(items([400, 400, 300, 100, 601, 1000]), 1000);
    expect(batches.map((b) => b.map((x) => x.i))).toEqual([[0, 1], [2, 3], [4], [5]]);
  });

  it('fills a request exactly up to the limit', () => {
    const batches = packIntoBatches(items([300, 100, 600, 1]), 1000);
    expect(batches.map((b) => b.map((x) => x.i))).toEqual([[0, 1, 2], [3]]);
  });

  it('sends a message as large as the limit on its own', () => {
    const batches = packIntoBatches(items([10, MIB, 10]), MIB);
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1]);
  });
});

describe('DeliveryJobSender against fauxqs', () => {
  it('delivers every message, at most 10 per request, with at most `concurrency` requests in flight', async () => {
    const queueUrl = newQueue();
    const { client, requests, flight } = observedClient();
    const sender = new DeliveryJobSender(client, { queueUrl, maxMessageBytes: MIB, concurrency: 3 });
    const messages = Array.from({ length: 95 }, (_, i) => message(i, JSON.stringify({ n: i })));

    const outcomes = await sender.send(messages);

    expect(outcomes).toEqual(messages.map((m) => ({ entryId: m.entryId, status: 'sent' })));
    expect(requests).toHaveLength(10);
    expect(Math.max(...requests.map((r) => r.Entries?.length ?? 0))).toBe(MAX_BATCH_ENTRIES);
    expect(flight.peak).toBe(3);
    const received = await receiveAll(client, queueUrl);
    expect(received.map((r) => r.body).sort()).toEqual(messages.map((m) => m.body).sort());
    expect(received.every((r) => r.webhookId === `wh_${JSON.parse(r.body).n}`)).toBe(true);
  });

  it('splits large messages across requests so no request passes 1 MiB, and sends a 1 MiB message alone', async () => {
    const queueUrl = newQueue();
    const { client, requests } = observedClient();
    const sender = new DeliveryJobSender(client, { queueUrl, maxMessageBytes: MIB, concurrency: 4 });
    const attributeBytes = messageSizeBytes('', { webhookId: 'wh_9' });
    const messages = [
      ...Array.from({ length: 7 }, (_, i) => message(i, 'x'.repeat(300_000))),
      message(9, 'y'.repeat(MIB - attributeBytes)),
    ];

    const outcomes = await sender.send(messages);

    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(requests.every((r) => requestBytes(r) <= MIB)).toBe(true);
    expect(requests.map((r) => r.Entries?.length)).toEqual([3, 3, 1, 1]);
    const received = await receiveAll(client, queueUrl);
    expect(received.map((r) => r.body.length).sort()).toEqual(messages.map((m) => m.body.length).sort());
  });

  it('never sends a message larger than the limit and reports its size', async () => {
    const queueUrl = newQueue();
    const { client, requests } = observedClient();
    const sender = new DeliveryJobSender(client, { queueUrl, maxMessageBytes: MIB, concurrency: 2 });

    const outcomes = await sender.send([message(1, 'z'.repeat(MIB)), message(2, '{"ok":true}')]);

    expect(outcomes).toEqual([
      { entryId: 'm1', status: 'too-large', sizeBytes: MIB + messageSizeBytes('', { webhookId: 'wh_1' }) },
      { entryId: 'm2', status: 'sent' },
    ]);
    expect(requests.flatMap((r) => r.Entries?.map((e) => e.Id))).toEqual(['m2']);
  });

  it('does not retry an entry SQS rejects as the sender’s fault', async () => {
    const queueUrl = newQueue();
    const { client, requests } = observedClient();
    const sender = new DeliveryJobSender(client, { queueUrl, maxMessageBytes: MIB, concurrency: 2 });

    // U+FFFE is not a character SQS accepts in a message body.
    const outcomes = await sender.send([message(1, 'bad \uFFFE body'), message(2, 'fine')]);

    expect(outcomes).toEqual([
      { entryId: 'm1', status: 'failed', code: 'InvalidMessageContents', senderFault: true, attempts: 1 },
      { entryId: 'm2', status: 'sent' },
    ]);
    expect(requests).toHaveLength(1);
  });

  it('rejects entry ids SQS would refuse, before sending anything', async () => {
    const { client, requests } = observedClient();
    const sender = new DeliveryJobSender(client, {
      queueUrl: newQueue(),
      maxMessageBytes: MIB,
      concurrency: 1,
    });
    await expect(sender.send([{ entryId: 'r1:j1', body: 'x', attributes: {} }])).rejects.toThrow(/entry id/);
    await expect(sender.send([message(1, 'a'), message(1, 'b')])).rejects.toThrow(/duplicate/);
    expect(requests).toHaveLength(0);
  });
});

// fauxqs never reports a server-side entry failure, so only this fault is simulated.
describe('DeliveryJobSender when SQS reports entries as failed on its side', () => {
  const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/deliveries';
  const noDelay = async () => undefined;

  it('retries only the failed entries and succeeds when SQS accepts them', async () => {
    const client = new SQSClient({});
    const sqs = mockClient(client);
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm1', MessageId: '1', MD5OfMessageBody: '' }],
        Failed: [{ Id: 'm2', SenderFault: false, Code: 'InternalError' }],
      })
      .resolvesOnce({ Successful: [{ Id: 'm2', MessageId: '2', MD5OfMessageBody: '' }], Failed: [] });
    const sender = new DeliveryJobSender(client, {
      queueUrl,
      maxMessageBytes: MIB,
      concurrency: 2,
      sleep: noDelay,
    });

    const outcomes = await sender.send([message(1, 'a'), message(2, 'b')]);

    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.map((e) => e.Id))).toEqual([['m1', 'm2'], ['m2']]);
  });

  it('gives up after the configured attempts and says how many were made', async () => {
    const client = new SQSClient({});
    const sqs = mockClient(client);
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: 'm1', SenderFault: false, Code: 'ServiceUnavailable' }] });
    const delays: number[] = [];
    const sender = new DeliveryJobSender(client, {
      queueUrl,
      maxMessageBytes: MIB,
      concurrency: 1,
      maxEntryAttempts: 3,
      retryBaseDelayMs: 10,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });

    const outcomes = await sender.send([message(1, 'a')]);

    expect(outcomes).toEqual([
      { entryId: 'm1', status: 'failed', code: 'ServiceUnavailable', senderFault: false, attempts: 3 },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeGreaterThan((delays[0] as number) - 10);
  });

  it('fails every entry of a request the SDK could not send, without retrying it again', async () => {
    const client = new SQSClient({});
    const sqs = mockClient(client);
    sqs
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client' }));
    const sender = new DeliveryJobSender(client, {
      queueUrl,
      maxMessageBytes: MIB,
      concurrency: 1,
      sleep: noDelay,
    });

    const outcomes = await sender.send([message(1, 'a'), message(2, 'b')]);

    expect(outcomes).toEqual([
      { entryId: 'm1', status: 'failed', code: 'AccessDenied', senderFault: true, attempts: 1 },
      { entryId: 'm2', status: 'failed', code: 'AccessDenied', senderFault: true, attempts: 1 },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
