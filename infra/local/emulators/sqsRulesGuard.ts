/** A proxy in front of fauxqs that rejects what Amazon SQS rejects and the emulator lets through. */

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkBatchEntryCount,
  checkBatchSize,
  checkMessage,
  checkVisibilityFromReceipt,
  inFlightQuotaError,
  type SendEntry,
  type SqsRuleError,
  STANDARD_QUEUE_IN_FLIGHT_QUOTA,
} from './sqsRules';

/**
 * SQS rules guard: a thin HTTP proxy in front of an SQS emulator (fauxqs) that rejects what Amazon SQS
 * rejects and the emulator lets through, with SQS's error codes and messages (rules: `sqsRules.ts`).
 *
 * Usage
 * - `startSqsLocal()` (sqsLocal.ts) starts fauxqs behind this guard; its `endpoint` is the guard, so the
 *   local runtime (AWS_ENDPOINT_URL_SQS) and every test client go through it. Standalone:
 *   `const guard = await startSqsRulesGuard({ upstream: 'http://127.0.0.1:<fauxqs port>' })`, then point
 *   SQS clients at `guard.endpoint` (with `useQueueUrlAsEndpoint: false`).
 * - Violations: `guard.violations` lists every request (or batch entry) the guard refused, and every
 *   receive it held back at the in-flight quota: `{ rule, operation, code, message, queueUrl, entryId, at }`.
 *   `guard.clearViolations()` empties it.
 * - In-flight quota: about 120,000 per standard queue on AWS. `startSqsLocal({ inFlightLimit: 5 })` or
 *   `guard.setInFlightLimit(5)` scales it down so a test can reach it. At the limit a long poll
 *   (WaitTimeSeconds > 0) waits and comes back empty, a short poll fails with `OverLimit`, like AWS
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html).
 * - Clock: `now` (default `Date.now`) dates receipts for the 12-hour visibility rule and the in-flight
 *   count; a test can pass a clock it advances to reach 12 hours without waiting.
 *
 * Rules enforced: message characters (astral characters allowed), 1 MiB per message and per batch, 10
 * entries per batch, DelaySeconds <= 900, visibility at most 12 h after receipt for ChangeMessageVisibility
 * (and its batch form), the in-flight quota. Batch entries that break a rule fail individually (in
 * `Failed`, SenderFault) and the rest go through, as SQS answers batches. Only the JSON protocol
 * (`X-Amz-Target: AmazonSQS.<Operation>`, every current SDK) is inspected; anything else passes unchanged.
 */
/**
 * Marks the guard's own request to the emulator behind it, so whoever counts SQS requests in this process
 * (the benchmark) counts each call once, as the client made it, and not again as forwarded.
 */
export const FORWARDED_BY_GUARD_HEADER = 'x-sqs-rules-guard-forwarded';

export interface SqsRuleViolation extends SqsRuleError {
  operation: string;
  queueUrl?: string;
  /** The batch entry's Id, for a rule broken by one entry of a batch. */
  entryId?: string;
  /** When the guard refused it (by the guard's clock). */
  at: number;
}

export interface SqsRulesGuard {
  endpoint: string;
  port: number;
  readonly violations: readonly SqsRuleViolation[];
  clearViolations(): void;
  readonly inFlightLimit: number;
  setInFlightLimit(limit: number): void;
  /** Messages received through the guard and neither deleted nor visible again, by queue URL. */
  inFlightCount(queueUrl: string): number;
  /**
   * Answers the long polls waiting on a queue now, empty (local control, no SQS API): a local poller
   * that stops need not wait out its 20 s polls, and never aborts one (which could lose its answer).
   */
  endLongPolls(queueUrl: string): void;
  stop(): Promise<void>;
}

export interface SqsRulesGuardOptions {
  /** The emulator's endpoint, e.g. `http://127.0.0.1:4567`. */
  upstream: string;
  port?: number;
  /** In-flight messages per queue before receives come back empty; default 120,000 as on AWS. */
  inFlightLimit?: number;
  now?: () => number;
}

/** Receipt of one message: when, and until when it stays invisible. */
interface Receipt {
  receivedAt: number;
  invisibleUntil: number;
}

interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** How SQS's JSON protocol names these errors in `x-amzn-query-error` (the code the SDK reports). */
const QUERY_ERROR_CODES: Record<string, string> = {
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
};
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);
const MAX_KEPT_VIOLATIONS = 10_000;
const QUOTA_RECHECK_MS = 100;
/** How often a waiting long poll looks again without a wake-up. */
const LONG_POLL_RECHECK_MS = 1_000;
/** Requests after which messages may be available at once: the guard's waiting long polls look again. */
const MAY_MAKE_MESSAGES_AVAILABLE = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);

/**
 * When the messages a successful request touched become available, in seconds from now (above 0,
 * distinct): DelaySeconds of a send or of each batch entry, VisibilityTimeout of a visibility change.
 */
function secondsUntilAvailable(operation: string, input: Json): number[] {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Json[]) : [input];
  const field = operation.startsWith('Send') ? 'DelaySeconds' : 'VisibilityTimeout';
  const seconds = entries
    .map((entry) => entry[field])
    .filter((d): d is number => typeof d === 'number' && d > 0);
  return [...new Set(seconds)];
}

class RejectedRequest extends Error {
  override name = 'RejectedRequest';
  constructor(readonly error: SqsRuleError) {
    super(error.message);
  }
}

type Json = Record<string, unknown>;

export async function startSqsRulesGuard(options: SqsRulesGuardOptions): Promise<SqsRulesGuard> {
  const upstream = new URL(options.upstream);
  const now = options.now ?? Date.now;
  let inFlightLimit = options.inFlightLimit ?? STANDARD_QUEUE_IN_FLIGHT_QUOTA;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const violations: SqsRuleViolation[] = [];
  const receipts = new Map<string, Map<string, Receipt>>();
  const reservedReceives = new Map<string, number>();
  const defaultVisibility = new Map<string, Promise<number>>();
  const stopping = new AbortController();
  // Every request forwarded upstream listens on it until it ends, and many run at once.
  setMaxListeners(0, stopping.signal);

  const record = (error: SqsRuleError, operation: string, queueUrl: unknown, entryId?: string) => {
    if (violations.length >= MAX_KEPT_VIOLATIONS) violations.shift();
    violations.push({
      ...error,
      operation,
      ...(typeof queueUrl === 'string' ? { queueUrl } : {}),
      ...(entryId === undefined ? {} : { entryId }),
      at: now(),
    });
  };

  const receiptsOf = (queueUrl: string) => {
    let map = receipts.get(queueUrl);
    if (!map) {
      map = new Map();
      receipts.set(queueUrl, map);
    }
    return map;
  };

  /** In flight = received, not deleted, still invisible. Expired receipts are dropped when counted. */
  const inFlightCount = (queueUrl: string) => {
    const map = receipts.get(queueUrl);
    if (!map) return 0;
    const t = now();
    for (const [handle, receipt] of map) if (receipt.invisibleUntil <= t) map.delete(handle);
    return map.size;
  };

  const forward = (req: IncomingMessage, body: Buffer, signal: AbortSignal): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers[FORWARDED_BY_GUARD_HEADER] = '1';
      headers['content-length'] = String(body.length);
      const upstreamRequest = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
          signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });

  /** A JSON-protocol call to the emulator made by the guard itself (queue attributes). */
  const callUpstream = async (operation: string, input: Json): Promise<Json> => {
    const body = Buffer.from(JSON.stringify(input));
    const fakeRequest = {
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` },
    } as unknown as IncomingMessage;
    const response = await forward(fakeRequest, body, stopping.signal);
    return JSON.parse(response.body.toString('utf8')) as Json;
  };

  const queueVisibilitySeconds = (queueUrl: string): Promise<number> => {
    let pending = defaultVisibility.get(queueUrl);
    if (!pending) {
      pending = callUpstream('GetQueueAttributes', {
        QueueUrl: queueUrl,
        AttributeNames: ['VisibilityTimeout'],
      })
        .then((out) => Number((out.Attributes as Json | undefined)?.VisibilityTimeout ?? 30))
        .catch(() => 30);
      defaultVisibility.set(queueUrl, pending);
    }
    return pending;
  };

  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const jsonResponse = (status: number, payload: unknown, extraHeaders: Record<string, string> = {}) => ({
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      ...extraHeaders,
    },
    body: Buffer.from(JSON.stringify(payload)),
  });
  const errorResponse = (error: SqsRuleError) =>
    jsonResponse(
      400,
      { __type: `com.amazonaws.sqs#${error.code}`, message: error.message },
      { 'x-amzn-query-error': `${QUERY_ERROR_CODES[error.code] ?? error.code};Sender` },
    );

  /** Forwards `input` (or nothing, if every entry failed) and adds the guard's failed entries to `Failed`. */
  const forwardBatch = async (
    req: IncomingMessage,
    input: Json,
    entries: Json[],
    failed: Json[],
    signal: AbortSignal,
  ): Promise<UpstreamResponse> => {
    const remaining = entries.filter((e) => !failed.some((f) => f.Id === e.Id));
    if (failed.length === 0) return forward(req, Buffer.from(JSON.stringify(input)), signal);
    if (remaining.length === 0) return jsonResponse(200, { Successful: [], Failed: failed });
    const response = await forward(
      req,
      Buffer.from(JSON.stringify({ ...input, Entries: remaining })),
      signal,
    );
    if (response.status !== 200) return response;
    const out = JSON.parse(response.body.toString('utf8')) as Json;
    const merged = { ...out, Failed: [...((out.Failed as Json[] | undefined) ?? []), ...failed] };
    return { ...response, body: Buffer.from(JSON.stringify(merged)) };
  };

  /** When `endLongPolls` last answered a queue's waiting long polls (performance.now()). */
  const longPollsEndedAt = new Map<string, number>();
  /** The guard's waiting long polls by queue URL, woken when a request may have made messages available. */
  const waiters = new Map<string, Set<() => void>>();
  const wake = (queueUrl: string) => {
    for (const waiter of waiters.get(queueUrl) ?? []) waiter();
  };
  /** Wake-ups planned for when delayed messages become available, by queue URL and due time (ms). */
  const plannedWakes = new Map<string, Set<number>>();
  const wakeLater = (queueUrl: string, ms: number) => {
    // One timer per 50 ms per queue, however many messages fall due in it.
    const due = Math.ceil((Date.now() + ms) / 50) * 50;
    const planned = plannedWakes.get(queueUrl) ?? new Set();
    plannedWakes.set(queueUrl, planned);
    if (planned.has(due)) return;
    planned.add(due);
    setTimeout(() => {
      planned.delete(due);
      if (planned.size === 0) plannedWakes.delete(queueUrl);
      wake(queueUrl);
    }, due - Date.now()).unref();
  };
  /** Waits until `wake(queueUrl)`, `ms` or `signal`, whichever comes first. */
  const waitForChange = (queueUrl: string, ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const set = waiters.get(queueUrl) ?? new Set();
      waiters.set(queueUrl, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) waiters.delete(queueUrl);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  /**
   * One ReceiveMessage as SQS answers it. Long polling "returns messages as soon as they become
   * available" and answers empty only once "the wait time expires"
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
   * fauxqs's own long poll differs twice: it answers every other waiting receive empty as soon as one of
   * them takes a new message, and it cannot be called off (a receive whose caller has gone still takes
   * the next message). So the guard does the waiting itself: short receives from fauxqs (its own calls,
   * not counted as the client's requests), each at once after a send or visibility change through the
   * guard on that queue, when a message sent with DelaySeconds or received with a visibility timeout
   * becomes available, and every LONG_POLL_RECHECK_MS for what the guard cannot see (sends made to
   * fauxqs directly). A caller that goes away leaves nothing waiting in the emulator. Receives are never aborted
   * upstream (fauxqs would still take messages off the queue): the guard reads every answer.
   */
  const longPoll = async (
    req: IncomingMessage,
    input: Json,
    poll: { queueUrl: string; granted: number; deadline: number },
    clientSignal: AbortSignal,
  ): Promise<UpstreamResponse> => {
    const startedAt = performance.now();
    const body = Buffer.from(
      JSON.stringify({ ...input, MaxNumberOfMessages: poll.granted, WaitTimeSeconds: 0 }),
    );
    for (;;) {
      const response = await forward(req, body, stopping.signal);
      if (response.status !== 200 || clientSignal.aborted) return response;
      const out = JSON.parse(response.body.toString('utf8')) as { Messages?: unknown[] };
      const left = poll.deadline - Date.now();
      if ((out.Messages?.length ?? 0) > 0 || left <= 0) return response;
      await waitForChange(poll.queueUrl, Math.min(left, LONG_POLL_RECHECK_MS), clientSignal);
      if (clientSignal.aborted || (longPollsEndedAt.get(poll.queueUrl) ?? -1) >= startedAt) return response;
    }
  };

  /** Makes received messages visible again at once (a receive whose caller has gone). */
  const releaseMessages = async (queueUrl: string, handles: string[]): Promise<void> => {
    for (let start = 0; start < handles.length; start += 10) {
      await callUpstream('ChangeMessageVisibilityBatch', {
        QueueUrl: queueUrl,
        Entries: handles.slice(start, start + 10).map((ReceiptHandle, i) => ({
          Id: String(i),
          ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }).catch(() => undefined);
    }
  };

  const operations: Record<
    string,
    (req: IncomingMessage, input: Json, raw: Buffer, signal: AbortSignal) => Promise<UpstreamResponse>
  > = {
    async SendMessage(req, input, raw, signal) {
      const error = checkMessage(input as SendEntry);
      if (error) throw new RejectedRequest(error);
      return forward(req, raw, signal);
    },

    async SendMessageBatch(req, input, _raw, signal) {
      const entries = (Array.isArray(input.Entries) ? input.Entries : []) as Json[];
      const wholeRequest = checkBatchEntryCount(entries.length) ?? checkBatchSize(entries as SendEntry[]);
      if (wholeRequest) throw new RejectedRequest(wholeRequest);
      const failed: Json[] = [];
      for (const entry of entries) {
        const error = checkMessage(entry as SendEntry);
        if (!error) continue;
        record(error, 'SendMessageBatch', input.QueueUrl, String(entry.Id));
        failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
      }
      return forwardBatch(req, input, entries, failed, signal);
    },

    async ReceiveMessage(req, input, raw, signal) {
      const queueUrl = String(input.QueueUrl ?? '');
      const wanted = typeof input.MaxNumberOfMessages === 'number' ? input.MaxNumberOfMessages : 1;
      const waitSeconds = typeof input.WaitTimeSeconds === 'number' ? input.WaitTimeSeconds : 0;
      const deadline = Date.now() + waitSeconds * 1000;
      const available = () => inFlightLimit - inFlightCount(queueUrl) - (reservedReceives.get(queueUrl) ?? 0);
      if (available() <= 0) {
        const error = inFlightQuotaError(inFlightLimit);
        record(error, 'ReceiveMessage', queueUrl);
        if (waitSeconds <= 0) throw new RejectedRequest(error);
        while (available() <= 0 && Date.now() < deadline && !signal.aborted) {
          await sleep(Math.min(QUOTA_RECHECK_MS, deadline - Date.now()), signal);
        }
        if (available() <= 0) return jsonResponse(200, {});
      }
      // Reserve what this receive may return, so concurrent receives cannot together pass the quota.
      const granted = Math.max(1, Math.min(wanted, available()));
      reservedReceives.set(queueUrl, (reservedReceives.get(queueUrl) ?? 0) + granted);
      try {
        const visibility =
          typeof input.VisibilityTimeout === 'number'
            ? input.VisibilityTimeout
            : await queueVisibilitySeconds(queueUrl);
        // After waiting at the quota, only what is left of the caller's wait time remains (`deadline`).
        const response =
          waitSeconds > 0
            ? await longPoll(req, input, { queueUrl, granted, deadline }, signal)
            : await forward(
                req,
                granted === wanted
                  ? raw
                  : Buffer.from(JSON.stringify({ ...input, MaxNumberOfMessages: granted })),
                stopping.signal,
              );
        if (response.status !== 200) return response;
        const out = JSON.parse(response.body.toString('utf8')) as {
          Messages?: { ReceiptHandle?: string }[];
        };
        const handles = (out.Messages ?? []).flatMap((m) => (m.ReceiptHandle ? [m.ReceiptHandle] : []));
        if (signal.aborted) {
          // The client went away while its receive was answered: nobody will process what it received,
          // so it goes back on the queue at once rather than hiding for the visibility timeout.
          await releaseMessages(queueUrl, handles);
          wake(queueUrl);
          return response;
        }
        const receivedAt = now();
        const map = receiptsOf(queueUrl);
        for (const handle of handles)
          map.set(handle, { receivedAt, invisibleUntil: receivedAt + visibility * 1000 });
        // Not deleted by then, they are visible again: a waiting long poll should look.
        if (handles.length > 0) wakeLater(queueUrl, visibility * 1000);
        return response;
      } finally {
        reservedReceives.set(queueUrl, (reservedReceives.get(queueUrl) ?? granted) - granted);
      }
    },

    async ChangeMessageVisibility(req, input, raw, signal) {
      const queueUrl = String(input.QueueUrl ?? '');
      const receipt = receipts.get(queueUrl)?.get(String(input.ReceiptHandle));
      const seconds = Number(input.VisibilityTimeout);
      if (receipt) {
        const error = checkVisibilityFromReceipt(receipt.receivedAt, now(), seconds);
        if (error) throw new RejectedRequest(error);
      }
      const response = await forward(req, raw, signal);
      if (response.status === 200 && receipt) receipt.invisibleUntil = now() + seconds * 1000;
      return response;
    },

    async ChangeMessageVisibilityBatch(req, input, _raw, signal) {
      const queueUrl = String(input.QueueUrl ?? '');
      const entries = (Array.isArray(input.Entries) ? input.Entries : []) as Json[];
      const tooMany = checkBatchEntryCount(entries.length);
      if (tooMany) throw new RejectedRequest(tooMany);
      const map = receipts.get(queueUrl);
      const failed: Json[] = [];
      for (const entry of entries) {
        const receipt = map?.get(String(entry.ReceiptHandle));
        const error =
          receipt && checkVisibilityFromReceipt(receipt.receivedAt, now(), Number(entry.VisibilityTimeout));
        if (!error) continue;
        record(error, 'ChangeMessageVisibilityBatch', queueUrl, String(entry.Id));
        failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
      }
      const response = await forwardBatch(req, input, entries, failed, signal);
      if (response.status === 200 && map) {
        const out = JSON.parse(response.body.toString('utf8')) as { Successful?: { Id: string }[] };
        for (const { Id } of out.Successful ?? []) {
          const entry = entries.find((e) => e.Id === Id);
          const receipt = entry && map.get(String(entry.ReceiptHandle));
          if (receipt) receipt.invisibleUntil = now() + Number(entry.VisibilityTimeout) * 1000;
        }
      }
      return response;
    },

    async DeleteMessage(req, input, raw, signal) {
      const response = await forward(req, raw, signal);
      if (response.status === 200)
        receipts.get(String(input.QueueUrl ?? ''))?.delete(String(input.ReceiptHandle));
      return response;
    },

    async DeleteMessageBatch(req, input, raw, signal) {
      const entries = (Array.isArray(input.Entries) ? input.Entries : []) as Json[];
      const tooMany = checkBatchEntryCount(entries.length);
      if (tooMany) throw new RejectedRequest(tooMany);
      const response = await forward(req, raw, signal);
      const map = receipts.get(String(input.QueueUrl ?? ''));
      if (response.status === 200 && map) {
        const out = JSON.parse(response.body.toString('utf8')) as { Successful?: { Id: string }[] };
        for (const { Id } of out.Successful ?? []) {
          const entry = entries.find((e) => e.Id === Id);
          if (entry) map.delete(String(entry.ReceiptHandle));
        }
      }
      return response;
    },

    async PurgeQueue(req, input, raw, signal) {
      const response = await forward(req, raw, signal);
      if (response.status === 200) receipts.delete(String(input.QueueUrl ?? ''));
      return response;
    },

    async SetQueueAttributes(req, input, raw, signal) {
      defaultVisibility.delete(String(input.QueueUrl ?? ''));
      return forward(req, raw, signal);
    },

    async DeleteQueue(req, input, raw, signal) {
      const queueUrl = String(input.QueueUrl ?? '');
      defaultVisibility.delete(queueUrl);
      receipts.delete(queueUrl);
      return forward(req, raw, signal);
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Abort the upstream call when the client goes away or the guard stops (a long poll: see longPoll).
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const signal = AbortSignal.any([clientGone.signal, stopping.signal]);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    const guarded = operations[operation];

    let response: UpstreamResponse;
    try {
      let input: Json | undefined;
      try {
        input = guarded ? (JSON.parse(raw.toString('utf8')) as Json) : undefined;
      } catch {
        input = undefined; // Not JSON: the emulator answers it as SQS would.
      }
      response = guarded && input ? await guarded(req, input, raw, signal) : await forward(req, raw, signal);
      if (response.status === 200 && input && MAY_MAKE_MESSAGES_AVAILABLE.has(operation)) {
        const queueUrl = String(input.QueueUrl ?? '');
        wake(queueUrl);
        for (const seconds of secondsUntilAvailable(operation, input)) wakeLater(queueUrl, seconds * 1000);
      }
    } catch (error) {
      if (error instanceof RejectedRequest) {
        let input: Json = {};
        try {
          input = JSON.parse(raw.toString('utf8')) as Json;
        } catch {}
        if (error.error.rule !== 'in-flight-quota') record(error.error, operation, input.QueueUrl);
        response = errorResponse(error.error);
      } else if (signal.aborted) {
        res.destroy();
        return;
      } else {
        response = jsonResponse(500, { __type: 'com.amazonaws.sqs#InternalError', message: String(error) });
      }
    }
    if (clientGone.signal.aborted) {
      res.destroy();
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(response.body.length);
    res.writeHead(response.status, headers);
    res.end(response.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    violations,
    clearViolations() {
      violations.length = 0;
    },
    get inFlightLimit() {
      return inFlightLimit;
    },
    setInFlightLimit(limit: number) {
      if (!(Number.isInteger(limit) && limit >= 1))
        throw new RangeError('inFlightLimit must be a positive integer');
      inFlightLimit = limit;
    },
    inFlightCount,
    endLongPolls(queueUrl) {
      longPollsEndedAt.set(queueUrl, performance.now());
      wake(queueUrl);
    },
    stop() {
      stopping.abort();
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          agent.destroy();
          resolve();
        });
      });
    },
  };
}
