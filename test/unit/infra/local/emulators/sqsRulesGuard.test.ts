import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SqsLocal, startSqsLocal } from '../../../../../infra/local/emulators/sqsLocal';

/**
 * The SQS rules guard in front of fauxqs, through the real SDK: each AWS rule is rejected with SQS's error
 * code, and what SQS accepts (astral characters) goes through byte-identical.
 */
let sqsLocal: SqsLocal;
let sqs: SQSClient;
let clock = Date.now();
let queueCounter = 0;

beforeAll(async () => {
  sqsLocal = await startSqsLocal({ now: () => clock });
  sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
});
afterAll(async () => {
  sqs?.destroy();
  await sqsLocal?.stop();
});
beforeEach(() => {
  clock = Date.now();
  sqsLocal.guard.clearViolations();
});

const newQueue = (attributes: Record<string, string> = {}) =>
  sqsLocal.server.createQueue(`rules-${++queueCounter}`, { attributes }).queueUrl;

const receiveAll = async (queueUrl: string, max = 10): Promise<Message[]> => {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 0 }),
  );
  return out.Messages ?? [];
};

/** The SDK error a rejected call throws: name (the AWS code), fault and message. */
const rejection = async (call: Promise<unknown>) => {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; $fault: string; message: string; $metadata: { httpStatusCode: number } } | undefined;
  expect(error, 'the call should have been rejected').toBeDefined();
  return {
    name: error!.name,
    fault: error!.$fault,
    message: error!.message,
    status: error!.$metadata.httpStatusCode,
  };
};

describe('message character set (SendMessage MessageBody)', () => {
  const astral = 'G clef 𝄞, fox 🦊, CJK ext-B 𠜎, family 👨‍👩‍👧, \t\n\r, \uE000\uFFFD, 中文 “quotes”';

  it('accepts astral characters and returns the body byte-identical, MD5 checked by the SDK', async () => {
    const queueUrl = newQueue();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: astral }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [{ Id: 'a', MessageBody: `${astral} (batch)` }],
      }),
    );
    expect(batch.Failed ?? []).toEqual([]);
    const messages = await receiveAll(queueUrl);
    const bodies = messages.map((m) => m.Body).sort();
    expect(bodies).toEqual([astral, `${astral} (batch)`].sort());
    expect(Buffer.from(messages.find((m) => m.MessageId === sent.MessageId)!.Body!, 'utf8')).toEqual(
      Buffer.from(astral, 'utf8'),
    );
    expect(sqsLocal.guard.violations).toEqual([]);
  });

  it.each([
    ['NUL', 'a\u0000b', '#x0'],
    ['a C0 control', 'bell \u0007', '#x7'],
    ['a lone high surrogate', 'broken \uD83E pair', '#xD83E'],
    ['U+FFFE', 'not a character \uFFFE', '#xFFFE'],
  ])('rejects %s with InvalidMessageContents', async (_what, body, notation) => {
    const queueUrl = newQueue();
    const error = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })),
    );
    expect(error).toMatchObject({ name: 'InvalidMessageContents', fault: 'client', status: 400 });
    expect(error.message).toContain(`Invalid binary character '${notation}'`);
    expect(error.message).toContain('[#x10000-#x10FFFF]');
    expect(sqsLocal.guard.violations).toMatchObject([
      { rule: 'message-characters', operation: 'SendMessage', code: 'InvalidMessageContents', queueUrl },
    ]);
    expect(await receiveAll(queueUrl)).toEqual([]);
  });

  it('fails only the offending batch entry, as SQS does', async () => {
    const queueUrl = newQueue();
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'ok', MessageBody: 'fine 🦊' },
          { Id: 'bad', MessageBody: 'nul \u0000' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(out.Failed).toMatchObject([{ Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents' }]);
    expect(sqsLocal.guard.violations).toMatchObject([{ rule: 'message-characters', entryId: 'bad' }]);
    expect((await receiveAll(queueUrl)).map((m) => m.Body)).toEqual(['fine 🦊']);
  });

  it('applies the same set to string message attributes', async () => {
    const error = await rejection(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: newQueue(),
          MessageBody: 'ok',
          MessageAttributes: { note: { DataType: 'String', StringValue: 'x\u0001' } },
        }),
      ),
    );
    expect(error.name).toBe('InvalidMessageContents');
  });
});

describe('message and batch size (1 MiB)', () => {
  const MiB = 1_048_576;

  it('accepts a message of exactly 1 MiB and rejects one byte more, attributes included', async () => {
    const queueUrl = newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(MiB) }));
    const error = await rejection(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: 'x'.repeat(MiB - 10),
          // name (1) + type (6) + value (4) = 11 bytes: one over.
          MessageAttributes: { a: { DataType: 'String', StringValue: 'abcd' } },
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(error.message).toContain('Message must be shorter than 1048576 bytes');
    expect(sqsLocal.guard.violations).toMatchObject([{ rule: 'message-size' }]);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    // 262,145 four-byte characters = 1,048,580 bytes: over, although only 524,290 UTF-16 units.
    const error = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl: newQueue(), MessageBody: '🦊'.repeat(262_145) })),
    );
    expect(error.name).toBe('InvalidParameterValue');
  });

  it('rejects a batch whose messages together exceed 1 MiB with BatchRequestTooLong', async () => {
    const half = 'y'.repeat(MiB / 2);
    const error = await rejection(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: newQueue(),
          Entries: [
            { Id: '1', MessageBody: half },
            { Id: '2', MessageBody: `${half}!` },
          ],
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'BatchRequestTooLong', fault: 'client', status: 400 });
    expect(sqsLocal.guard.violations).toMatchObject([{ rule: 'batch-size', operation: 'SendMessageBatch' }]);
  });
});

describe('10 entries per batch', () => {
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` }));

  it('accepts 10 and rejects 11 with TooManyEntriesInBatchRequest (send, delete, change visibility)', async () => {
    const queueUrl = newQueue();
    const ten = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(10) }));
    expect(ten.Successful).toHaveLength(10);
    const send = await rejection(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(11) })),
    );
    expect(send).toMatchObject({ name: 'TooManyEntriesInBatchRequest', status: 400 });
    const handles = Array.from({ length: 11 }, (_, i) => ({ Id: `h${i}`, ReceiptHandle: `handle-${i}` }));
    const del = await rejection(
      sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: handles })),
    );
    expect(del.name).toBe('TooManyEntriesInBatchRequest');
    const change = await rejection(
      sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles.map((h) => ({ ...h, VisibilityTimeout: 10 })),
        }),
      ),
    );
    expect(change.name).toBe('TooManyEntriesInBatchRequest');
    expect(sqsLocal.guard.violations.map((v) => [v.rule, v.operation])).toEqual([
      ['batch-entries', 'SendMessageBatch'],
      ['batch-entries', 'DeleteMessageBatch'],
      ['batch-entries', 'ChangeMessageVisibilityBatch'],
    ]);
  });
});

describe('DelaySeconds <= 900', () => {
  it('accepts 900 and rejects 901 with InvalidParameterValue; in a batch only that entry fails', async () => {
    const queueUrl = newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 900 }));
    const error = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'too late', DelaySeconds: 901 })),
    );
    expect(error).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(error.message).toBe(
      'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
    );
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'now', MessageBody: 'now', DelaySeconds: 0 },
          { Id: 'hour', MessageBody: 'in an hour', DelaySeconds: 3600 },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['now']);
    expect(batch.Failed).toMatchObject([{ Id: 'hour', Code: 'InvalidParameterValue', SenderFault: true }]);
    expect(sqsLocal.guard.violations.map((v) => v.rule)).toEqual(['delay-seconds', 'delay-seconds']);
  });
});

describe('visibility at most 12 hours from receipt', () => {
  const hours = (h: number) => h * 3_600_000;

  it('lets a fresh receipt take the full 12 h, and refuses to extend past 12 h after the receipt', async () => {
    const queueUrl = newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job' }));
    const [message] = await receiveAll(queueUrl);
    const handle = message!.ReceiptHandle!;
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: handle,
        VisibilityTimeout: 43_200,
      }),
    );
    clock += hours(11);
    // 11 h elapsed + 1 h = exactly 12 h: allowed.
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: handle,
        VisibilityTimeout: 3600,
      }),
    );
    clock += 1000;
    const error = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: handle,
          VisibilityTimeout: 3600,
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(error.message).toBe(
      'Value 3600 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
    );
    expect(sqsLocal.guard.violations).toMatchObject([
      { rule: 'visibility-from-receipt', operation: 'ChangeMessageVisibility', queueUrl },
    ]);
  });

  it('fails only the entries of a batch that pass 12 h from their own receipt', async () => {
    const queueUrl = newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'early' }));
    const [early] = await receiveAll(queueUrl);
    // The early message stays invisible (as far as the clock says) while the second one is received later.
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: early!.ReceiptHandle!,
        VisibilityTimeout: 43_200,
      }),
    );
    clock += hours(6);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'late' }));
    const [late] = await receiveAll(queueUrl);
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'early', ReceiptHandle: early!.ReceiptHandle!, VisibilityTimeout: 7 * 3600 },
          { Id: 'late', ReceiptHandle: late!.ReceiptHandle!, VisibilityTimeout: 7 * 3600 },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['late']);
    expect(out.Failed).toMatchObject([{ Id: 'early', Code: 'InvalidParameterValue', SenderFault: true }]);
    expect(sqsLocal.guard.violations).toMatchObject([
      { rule: 'visibility-from-receipt', operation: 'ChangeMessageVisibilityBatch', entryId: 'early' },
    ]);
  });
});

describe('in-flight quota (scaled down)', () => {
  it('holds receives at the quota: short polls fail with OverLimit, long polls come back empty', async () => {
    sqsLocal.guard.setInFlightLimit(3);
    try {
      const queueUrl = newQueue({ VisibilityTimeout: '300' });
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `job ${i}` })),
        }),
      );
      const first = await receiveAll(queueUrl);
      expect(first).toHaveLength(3);
      expect(sqsLocal.guard.inFlightCount(queueUrl)).toBe(3);

      const short = await rejection(receiveAll(queueUrl));
      expect(short).toMatchObject({ name: 'OverLimit', fault: 'client', status: 400 });

      const started = Date.now();
      const long = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      expect(long.Messages ?? []).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);

      // Deleting one frees one slot; a message made visible again frees another.
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first[0]!.ReceiptHandle! }),
      );
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: first[1]!.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      );
      expect(sqsLocal.guard.inFlightCount(queueUrl)).toBe(1);
      const next = await receiveAll(queueUrl);
      expect(next).toHaveLength(2);
      expect(sqsLocal.guard.violations.map((v) => [v.rule, v.code])).toEqual([
        ['in-flight-quota', 'OverLimit'],
        ['in-flight-quota', 'OverLimit'],
      ]);
    } finally {
      sqsLocal.guard.setInFlightLimit(120_000);
    }
  });

  it('frees the quota when a receipt batch is deleted or its visibility runs out', async () => {
    sqsLocal.guard.setInFlightLimit(2);
    try {
      const queueUrl = newQueue({ VisibilityTimeout: '60' });
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 4 }, (_, i) => ({ Id: `m${i}`, MessageBody: `job ${i}` })),
        }),
      );
      const first = await receiveAll(queueUrl);
      expect(first).toHaveLength(2);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: first.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      const second = await receiveAll(queueUrl);
      expect(second).toHaveLength(2);
      expect(sqsLocal.guard.inFlightCount(queueUrl)).toBe(2);
      clock += 61_000; // the queue's 60 s visibility timeout has passed for the guard
      expect(sqsLocal.guard.inFlightCount(queueUrl)).toBe(0);
    } finally {
      sqsLocal.guard.setInFlightLimit(120_000);
    }
  });
});

describe('long polling (WaitTimeSeconds > 0)', () => {
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html:
  // a long poll returns as soon as a message is available and answers empty only when its wait expires.
  it('keeps a waiting receive waiting when another receive took the message, until its wait expires', async () => {
    const queueUrl = newQueue();
    const waiting = (wait: number) =>
      sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: wait }),
      );
    const started = Date.now();
    const polls = [waiting(2), waiting(2), waiting(2)].map((p) =>
      p.then((out) => ({ count: out.Messages?.length ?? 0, after: Date.now() - started })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    const results = await Promise.all(polls);
    const got = results.filter((r) => r.count === 1);
    const empty = results.filter((r) => r.count === 0);
    expect(got).toHaveLength(1);
    expect(got[0]!.after).toBeLessThan(1_500);
    // fauxqs alone answers the other two empty the moment the message arrives (~200 ms).
    for (const r of empty) expect(r.after).toBeGreaterThanOrEqual(1_900);
  });

  it('puts back at once what a long poll received after its caller aborted it', async () => {
    const queueUrl = newQueue({ VisibilityTimeout: '300' });
    const abort = new AbortController();
    const poll = sqs
      .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }), {
        abortSignal: abort.signal,
      })
      .then(
        () => 'answered',
        () => 'aborted',
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    expect(await poll).toBe('aborted');
    // The emulator still holds the aborted poll; the message it takes must not hide for 300 s.
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'after the abort' }));
    let received: Message[] = [];
    for (let i = 0; i < 40 && received.length === 0; i++) {
      received = await receiveAll(queueUrl);
      if (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(received.map((m) => m.Body)).toEqual(['after the abort']);
    expect(sqsLocal.guard.inFlightCount(queueUrl)).toBe(1);
  });
});
