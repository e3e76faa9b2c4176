import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SqsLocal, startSqsLocal } from '../../../../infra/local/emulators/sqsLocal';
import type { LambdaHandler } from '../../../../infra/local/lambdaContext';
import { type SqsBatchResult, type SqsPoller, startSqsPoller } from '../../../../infra/local/sqsPoller';

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('local SQS poller (Lambda SQS event source semantics)', () => {
  let sqsLocal: SqsLocal;
  let sqs: SQSClient;
  let poller: SqsPoller | undefined;
  let queueCounter = 0;

  beforeAll(async () => {
    sqsLocal = await startSqsLocal();
    sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });
  afterAll(async () => {
    sqs.destroy();
    await sqsLocal.stop();
  });

  /** A client that counts the ReceiveMessage requests it sends. */
  function countingClient() {
    const client = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
    const counts = { receives: 0 };
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ReceiveMessageCommand') counts.receives++;
        return next(args);
      },
      { step: 'initialize', name: 'countReceives' },
    );
    return { client, counts };
  }

  const send = (queueUrl: string, bodies: string[]) =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );

  /** A deliveries queue with a short visibility timeout and redrive after `maxReceiveCount` receives. */
  function createQueues(maxReceiveCount = 3, visibilityTimeoutSeconds = 1) {
    queueCounter++;
    const dlq = sqsLocal.server.createQueue(`dlq-${queueCounter}`);
    const queue = sqsLocal.server.createQueue(`jobs-${queueCounter}`, {
      attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
      },
    });
    return { queue, dlq };
  }

  function poll(
    queue: { queueUrl: string; queueArn: string },
    handler: LambdaHandler<SQSEvent, unknown>,
    onBatch?: (r: SqsBatchResult) => void,
    extra: {
      batchSize?: number;
      maxBatchingWindowMs?: number;
      concurrency?: number;
      minConcurrency?: number;
      waitTimeSeconds?: number;
      endWaitingPolls?: () => void;
      scaleUpIntervalMs?: number;
      client?: SQSClient;
    } = {},
  ) {
    const { client = sqs, ...tuning } = extra;
    poller = startSqsPoller({
      sqs: client,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      handler,
      functionName: 'delivery',
      timeoutMs: 5_000,
      concurrency: 2,
      waitTimeSeconds: 1,
      onPollError: () => undefined,
      ...(onBatch ? { onBatch } : {}),
      ...tuning,
    });
    return poller;
  }

  const messageCount = async (queueUrl: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible)
    );
  };

  it("hands messages over in Lambda's SQS record shape", async () => {
    const { queue } = createQueues();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: '{"job":1}',
        MessageAttributes: { webhookId: { DataType: 'String', StringValue: 'wh_1' } },
      }),
    );
    const records: SQSRecord[] = [];
    poll(queue, async (event) => {
      records.push(...event.Records);
    });
    await waitFor(() => records.length === 1);
    const record = records[0]!;
    expect(record).toMatchObject({
      body: '{"job":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.queueArn,
      awsRegion: 'us-east-1',
      messageAttributes: {
        webhookId: { stringValue: 'wh_1', dataType: 'String', stringListValues: [], binaryListValues: [] },
      },
    });
    expect(record.messageId).toMatch(/\S+/);
    expect(record.receiptHandle).toMatch(/\S+/);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    await waitFor(async () => (await messageCount(queue.queueUrl)) === 0);
  });

  it('deletes only the messages not listed in batchItemFailures; the failed one comes back', async () => {
    const { queue } = createQueues();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const seen: { body: string; receiveCount: string }[] = [];
    const results: SqsBatchResult[] = [];
    poll(
      queue,
      async (event): Promise<SQSBatchResponse> => {
        for (const r of event.Records)
          seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
        const failed = event.Records.filter(
          (r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1',
        );
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      (r) => results.push(r),
    );
    await waitFor(() => seen.some((s) => s.body === 'b' && s.receiveCount === '2'));
    await waitFor(async () => (await messageCount(queue.queueUrl)) === 0);
    expect(seen.filter((s) => s.body === 'a')).toHaveLength(1);
    expect(seen.filter((s) => s.body === 'c')).toHaveLength(1);
    expect(seen.filter((s) => s.body === 'b').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(results.reduce((n, r) => n + r.deleted, 0)).toBe(3);
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(1);
  });

  it('deletes nothing when the handler throws, and the whole batch is received again', async () => {
    const { queue } = createQueues();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'x' }));
    const receiveCounts: string[] = [];
    poll(queue, async (event) => {
      receiveCounts.push(event.Records[0]!.attributes.ApproximateReceiveCount);
      if (receiveCounts.length === 1) throw new Error('crash');
    });
    await waitFor(() => receiveCounts.length === 2);
    expect(receiveCounts).toEqual(['1', '2']);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch, like Lambda', async () => {
    const { queue } = createQueues();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'x' }));
    let calls = 0;
    poll(queue, async () => {
      calls++;
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : undefined;
    });
    await waitFor(() => calls === 2);
    await waitFor(async () => (await messageCount(queue.queueUrl)) === 0);
  });

  it('lets the redrive policy move a message that keeps failing to the DLQ', async () => {
    const { queue, dlq } = createQueues(2);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'poison' }));
    let attempts = 0;
    poll(queue, async (event) => {
      attempts++;
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await waitFor(async () => (await messageCount(dlq.queueUrl)) === 1);
    expect(attempts).toBe(2);
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl }));
    expect(moved.Messages?.[0]?.Body).toBe('poison');
  });

  it('on stop, lets a running invocation finish and settles its messages', async () => {
    const { queue } = createQueues();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'slow' }));
    let started = false;
    let finished = false;
    const running = poll(queue, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await waitFor(() => started);
    expect(running.inFlight).toBe(1);
    await running.stop();
    poller = undefined;
    expect(finished).toBe(true);
    expect(await messageCount(queue.queueUrl)).toBe(0);
  });

  describe('batching window (MaximumBatchingWindow)', () => {
    it('waits for the window to fill a batch that trickles in, with two receives', async () => {
      const { queue } = createQueues();
      const { client, counts } = countingClient();
      const batches: string[][] = [];
      let receivesBeforeInvoke = 0;
      await send(queue.queueUrl, ['a1', 'a2', 'a3']);
      const started = Date.now();
      const handler = async (event: SQSEvent) => {
        receivesBeforeInvoke = counts.receives;
        batches.push(event.Records.map((r) => r.body));
      };
      poll(queue, handler, undefined, {
        maxBatchingWindowMs: 700,
        concurrency: 1,
        client,
      });
      await new Promise((r) => setTimeout(r, 250));
      await send(queue.queueUrl, ['b1', 'b2', 'b3', 'b4']);
      await waitFor(() => batches.length === 1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect([...(batches[0] ?? [])].sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'b4']);
      expect(receivesBeforeInvoke).toBe(2);
      await waitFor(async () => (await messageCount(queue.queueUrl)) === 0);
      await poller?.stop();
      poller = undefined;
      client.destroy();
    });

    it('a lone message waits out the whole window, as with Lambda: received at once, invoked at the window end', async () => {
      const { queue } = createQueues();
      const batches: { bodies: string[]; at: number }[] = [];
      const handler = async (event: SQSEvent) => {
        batches.push({ bodies: event.Records.map((r) => r.body), at: Date.now() });
      };
      poll(queue, handler, undefined, { maxBatchingWindowMs: 800, concurrency: 1 });
      // Let the loop settle into its idle long polls first.
      await new Promise((r) => setTimeout(r, 1_500));
      const sentAt = Date.now();
      await send(queue.queueUrl, ['lone']);
      await waitFor(() => batches.length === 1);
      expect(batches[0]?.bodies).toEqual(['lone']);
      const waited = (batches[0]?.at ?? 0) - sentAt;
      expect(waited).toBeGreaterThanOrEqual(750);
      expect(waited).toBeLessThan(2_500);
    });

    it('invokes at once when the first receive fills the batch', async () => {
      const { queue } = createQueues();
      const batches: number[] = [];
      await send(
        queue.queueUrl,
        Array.from({ length: 10 }, (_, i) => `m${i}`),
      );
      const started = Date.now();
      poll(queue, async (event) => void batches.push(event.Records.length), undefined, {
        maxBatchingWindowMs: 5_000,
        concurrency: 1,
      });
      await waitFor(() => batches.length === 1);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(batches).toEqual([10]);
    });

    it('gathers batches above 10 messages and deletes them 10 at a time', async () => {
      const { queue } = createQueues();
      const batches: number[] = [];
      for (let chunk = 0; chunk < 3; chunk++) {
        await send(
          queue.queueUrl,
          Array.from({ length: 8 }, (_, i) => `c${chunk}-${i}`),
        );
      }
      poll(queue, async (event) => void batches.push(event.Records.length), undefined, {
        batchSize: 24,
        maxBatchingWindowMs: 300,
        concurrency: 1,
      });
      await waitFor(() => batches.reduce((n, b) => n + b, 0) === 24);
      expect(batches).toEqual([24]);
      await waitFor(async () => (await messageCount(queue.queueUrl)) === 0);
    });

    it('on stop during the window, invokes what it has and settles it', async () => {
      const { queue } = createQueues();
      const batches: number[] = [];
      await send(queue.queueUrl, ['only']);
      const running = poll(queue, async (event) => void batches.push(event.Records.length), undefined, {
        maxBatchingWindowMs: 30_000,
        concurrency: 1,
      });
      await waitFor(() => running.inFlight === 0 && batches.length === 0, 2_000);
      await new Promise((r) => setTimeout(r, 400));
      const stopped = Date.now();
      await running.stop();
      poller = undefined;
      expect(Date.now() - stopped).toBeLessThan(3_000);
      expect(batches).toEqual([1]);
      expect(await messageCount(queue.queueUrl)).toBe(0);
    });
  });

  describe('scaling with the backlog (Lambda adds pollers while messages are available)', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const bodies = (count: number) => Array.from({ length: count }, (_, i) => `m${i}`);
    const enqueue = async (queueUrl: string, all: string[]) => {
      for (let start = 0; start < all.length; start += 10) await send(queueUrl, all.slice(start, start + 10));
    };
    const queueCounts = async (queueUrl: string) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages),
        notVisible: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      };
    };

    /** A handler that records every body and the most invocations it saw running at once. */
    function concurrencyProbe(invocationMs: number) {
      const seen: string[] = [];
      const probe = { seen, running: 0, maxRunning: 0, maxLoops: 0, started: 0, finished: 0 };
      const handler = async (event: SQSEvent) => {
        probe.started++;
        probe.running++;
        probe.maxRunning = Math.max(probe.maxRunning, probe.running);
        probe.maxLoops = Math.max(probe.maxLoops, poller?.activeLoops ?? 0);
        try {
          await sleep(invocationMs);
          seen.push(...event.Records.map((r) => r.body));
        } finally {
          probe.running--;
          probe.finished++;
        }
      };
      return { probe, handler };
    }

    it('adds loops on a backlog, delivers every message once, and drops back to the minimum', async () => {
      const { queue } = createQueues(3, 30);
      await enqueue(queue.queueUrl, bodies(200));
      const { client, counts } = countingClient();
      const { probe, handler } = concurrencyProbe(50);
      const running = poll(queue, handler, undefined, { concurrency: 4, client });
      expect(running.activeLoops).toBe(1);
      await waitFor(() => probe.seen.length === 200);
      expect(probe.maxRunning).toBeGreaterThan(1);
      expect(probe.maxLoops).toBeGreaterThan(1);
      expect(probe.maxLoops).toBeLessThanOrEqual(4);
      expect(probe.maxRunning).toBeLessThanOrEqual(4);
      expect(new Set(probe.seen).size).toBe(200);
      await waitFor(() => running.activeLoops === 1, 5_000);
      // One loop long-polling for 1 s makes about 3 receives in 2.5 s; four would make about 10.
      const before = counts.receives;
      await sleep(2_500);
      expect(running.activeLoops).toBe(1);
      expect(counts.receives - before).toBeLessThanOrEqual(5);
      expect(await queueCounts(queue.queueUrl)).toEqual({ visible: 0, notVisible: 0 });
      await running.stop();
      poller = undefined;
      client.destroy();
    });

    it('drains a short burst with the one loop it has (more loops would only split it)', async () => {
      const { queue } = createQueues(3, 30);
      await enqueue(queue.queueUrl, bodies(30));
      const { probe, handler } = concurrencyProbe(5);
      // Three full batches of 10 take well under the 200 ms after which a backlog adds a second loop, on
      // a quiet machine; the interval is lengthened so that a loaded one (slow receives) cannot add one
      // either: full receives alone never add a loop, only the scale-up timer does.
      const running = poll(queue, handler, undefined, { concurrency: 4, scaleUpIntervalMs: 5_000 });
      await waitFor(() => probe.seen.length === 30);
      await running.stop();
      poller = undefined;
      expect(probe.maxLoops).toBe(1);
      expect(probe.started).toBe(3);
      expect(new Set(probe.seen).size).toBe(30);
    });

    it('keeps one loop at light traffic, with far fewer receives than four fixed loops', async () => {
      const { queue } = createQueues(3, 30);
      const { client, counts } = countingClient();
      const { probe, handler } = concurrencyProbe(0);
      const running = poll(queue, handler, undefined, {
        concurrency: 4,
        maxBatchingWindowMs: 300,
        client,
      });
      for (const body of bodies(10)) {
        await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
        await sleep(250);
      }
      await waitFor(() => probe.seen.length === 10);
      const receives = counts.receives;
      await running.stop();
      poller = undefined;
      client.destroy();
      expect(probe.maxLoops).toBe(1);
      expect(new Set(probe.seen).size).toBe(10);
      // Measured here: 9 receives with one loop, 24 with four fixed loops (whose idle long polls come back
      // empty). A gap of over 1 s between sends would add one empty poll, not four.
      expect(receives).toBeLessThanOrEqual(14);
    });

    it('starts with its minimum and, like Lambda, adds one batch per 200 ms while messages remain, even while every loop is busy', async () => {
      const { queue } = createQueues(3, 30);
      await enqueue(queue.queueUrl, bodies(300));
      // Invocations far longer than the scale-up interval: no loop comes back to receive in the meantime.
      const { probe, handler } = concurrencyProbe(2_500);
      const startedAt = Date.now();
      const running = poll(queue, handler, undefined, { concurrency: 12, minConcurrency: 5 });
      expect(running.activeLoops).toBe(5);
      const loopsAt: { ms: number; loops: number }[] = [];
      while (Date.now() - startedAt < 2_000) {
        await sleep(50);
        loopsAt.push({ ms: Date.now() - startedAt, loops: running.activeLoops });
      }
      // 300 per minute: never more than one loop per 200 ms beyond the first five (one tick of slack).
      for (const { ms, loops } of loopsAt) expect(loops).toBeLessThanOrEqual(5 + Math.floor(ms / 200) + 1);
      expect(probe.maxRunning).toBe(12);
      expect(running.activeLoops).toBe(12);
      await running.stop();
      poller = undefined;
      expect(probe.finished).toBe(probe.started);
    });

    it('on stop during scale-up, waits for every loop and leaves no message in flight', async () => {
      const { queue } = createQueues(3, 30);
      await enqueue(queue.queueUrl, bodies(200));
      const { probe, handler } = concurrencyProbe(100);
      const running = poll(queue, handler, undefined, { concurrency: 4 });
      await waitFor(() => running.activeLoops >= 2);
      await running.stop();
      poller = undefined;
      expect(running.activeLoops).toBe(0);
      expect(running.inFlight).toBe(0);
      expect(probe.finished).toBe(probe.started);
      expect(probe.seen.length).toBeLessThan(200);
      expect(new Set(probe.seen).size).toBe(probe.seen.length);
      // Every received message was deleted (nothing left invisible) and the rest wait on the queue.
      expect(await queueCounts(queue.queueUrl)).toEqual({ visible: 200 - probe.seen.length, notVisible: 0 });
    });

    it("idles like Lambda's pollers, one 20 s long poll per loop, and stops at once, leaving no poll behind", async () => {
      const { queue } = createQueues(3, 300);
      const { client, counts } = countingClient();
      const { probe, handler } = concurrencyProbe(0);
      const running = poll(queue, handler, undefined, {
        concurrency: 5,
        minConcurrency: 5,
        waitTimeSeconds: 20,
        endWaitingPolls: () => sqsLocal.guard.endLongPolls(queue.queueUrl),
        client,
      });
      await sleep(1_500);
      // Five waiting polls; with 1 s polls (or polls woken empty) this would be 10 or more.
      expect(counts.receives).toBe(5);
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'while idle' }));
      await waitFor(() => probe.seen.length === 1);
      // The loop that took it polls again; the other four kept waiting.
      expect(counts.receives).toBeLessThanOrEqual(6);
      const stopping = Date.now();
      await running.stop();
      poller = undefined;
      client.destroy();
      expect(Date.now() - stopping).toBeLessThan(1_000);
      // Nothing of the poller is left waiting: a message sent after the stop stays on the queue.
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'after stop' }));
      await sleep(300);
      expect(await queueCounts(queue.queueUrl)).toEqual({ visible: 1, notVisible: 0 });
    });

    it('rejects a minimum above the maximum', () => {
      const { queue } = createQueues();
      expect(() =>
        poll(queue, async () => undefined, undefined, { concurrency: 2, minConcurrency: 3 }),
      ).toThrow(RangeError);
    });
  });
});
