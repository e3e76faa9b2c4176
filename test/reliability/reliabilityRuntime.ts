import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  importProductHandlers,
  LOCAL_TABLE_NAMES,
  type LocalHandlers,
  type LocalRuntime,
  startLocalRuntime,
} from '../../infra/local/localRuntime';
import type { LocalSettings } from '../../infra/local/localSettings';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { DeliveryLogStore } from '../../shared/adapters/dynamodb/deliveryLogStore';
import { type CrmSourcesConfig, defaultCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { batchingWindowsFor, DEFAULT_LATENCY_PRESET } from '../../shared/config/latencyPresets';
import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import { type DeliveryJob, decodeDeliveryJob } from '../../shared/domain/delivery/deliveryJob';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ReliabilityRuntime {
  runtime: LocalRuntime;
  /** The local API key (workspace `default`). */
  apiKey: string;
  /** A client for the runtime's DynamoDB Local (CRM writes, direct reads). */
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  apiKeys: ApiKeyStore;
  deliveryLog: DeliveryLogStore;
  /** Errors the pollers reported (crashed invocations, timeouts). */
  pollErrors: unknown[];
  /** Calls the management API over HTTP (the runtime's key unless `apiKey` is given). */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    apiKey?: string,
  ): Promise<ApiAnswer<T>>;
  /** Every delivery attempt logged for a webhook, all pages. */
  attemptsOf(webhookId: string): Promise<DeliveryAttempt[]>;
  /** Receives and deletes everything in the dead-letter queue, decoded. */
  drainDeadLetters(): Promise<DeliveryJob[]>;
  /** Messages on the deliveries queue: visible, in flight or delayed. */
  deliveriesOutstanding(): Promise<number>;
  stop(): Promise<void>;
}

export interface ReliabilityRuntimeOptions {
  maxAttempts?: number;
  /** Delivery function env: retry schedule and request timeout (short ones make chaos runs quick). */
  retryDelaysSeconds?: string;
  requestTimeoutMs?: number;
  /** Delivery function env: consecutive failed attempts that open an endpoint's breaker (default 5). */
  breakerFailureThreshold?: number;
  /** The deliveries queue's visibility timeout: how soon a crashed invocation's jobs come back. */
  visibilityTimeoutSeconds?: number;
  deliveryPollers?: number;
  slowLanePollers?: number;
  /** Batching windows of the SQS and stream pollers (the runtime's defaults: 1 s and 0.5 s). */
  deliveryBatchingWindowMs?: number;
  mapperBatchingWindowMs?: number;
  /** The delivery function's timeout (the runtime's default is 10 s here). */
  deliveryTimeoutSeconds?: number;
  mapperRetryAttempts?: number;
  crmSources?: CrmSourcesConfig;
  logLevel?: string;
  /** Composes faults around the real handlers (the production code has no test hooks). */
  wrapHandlers?: (handlers: LocalHandlers) => LocalHandlers;
}

const CLIENT_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/**
 * The local runtime (`npm start`'s `startLocalRuntime`, real handlers, DynamoDB Local, fauxqs, local
 * Secrets Manager) in this test process, on free ports, with knobs for fault tests. One per test file:
 * the handlers read their environment once, at import.
 */
export async function startReliabilityRuntime(
  options: ReliabilityRuntimeOptions = {},
): Promise<ReliabilityRuntime> {
  process.env.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'ERROR';
  if (options.retryDelaysSeconds !== undefined) process.env.RETRY_DELAYS_SECONDS = options.retryDelaysSeconds;
  if (options.requestTimeoutMs !== undefined)
    process.env.REQUEST_TIMEOUT_MS = String(options.requestTimeoutMs);
  if (options.breakerFailureThreshold !== undefined)
    process.env.BREAKER_FAILURE_THRESHOLD = String(options.breakerFailureThreshold);
  const settings: LocalSettings = {
    apiPort: 0,
    dynamoDbPort: 0,
    sqsPort: 0,
    secretsManagerPort: 0,
    crmSources: options.crmSources ?? defaultCrmSourcesConfig,
    crmSourcesOrigin: 'reliability test',
    maxAttempts: options.maxAttempts ?? 10,
    crashLoopMaxReceives: 5,
    deliveryConcurrency: options.deliveryPollers ?? 10,
    slowLaneConcurrency: options.slowLanePollers ?? options.deliveryPollers ?? 5,
    deliveryTimeoutSeconds: options.deliveryTimeoutSeconds ?? 10,
    mapperRetryAttempts: options.mapperRetryAttempts ?? 3,
    ...(options.deliveryBatchingWindowMs === undefined
      ? {}
      : { deliveryBatchingWindowMs: options.deliveryBatchingWindowMs }),
    ...(options.mapperBatchingWindowMs === undefined
      ? {}
      : { mapperBatchingWindowMs: options.mapperBatchingWindowMs }),
    region: 'us-east-1',
    secretStore: 'envelope',
    // The default preset's windows, as `npm start` runs them.
    latencyPreset: DEFAULT_LATENCY_PRESET,
    mapperBatchingWindowMs: batchingWindowsFor(DEFAULT_LATENCY_PRESET).mapperSeconds * 1000,
    deliveryBatchingWindowMs: batchingWindowsFor(DEFAULT_LATENCY_PRESET).deliverySeconds * 1000,
  };
  const pollErrors: unknown[] = [];
  const runtime = await startLocalRuntime(
    settings,
    async () => {
      const handlers = await importProductHandlers();
      return options.wrapHandlers ? options.wrapHandlers(handlers) : handlers;
    },
    { onPollError: (error) => pollErrors.push(error) },
  );
  const dynamo = new DynamoDBClient({ ...CLIENT_CONFIG, endpoint: runtime.dynamoDbEndpoint });
  const sqs = new SQSClient({
    ...CLIENT_CONFIG,
    endpoint: runtime.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
  });
  if (options.visibilityTimeoutSeconds !== undefined) {
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: runtime.queues.deliveriesQueueUrl,
        Attributes: { VisibilityTimeout: String(options.visibilityTimeoutSeconds) },
      }),
    );
  }
  const deliveryLog = new DeliveryLogStore(dynamo, LOCAL_TABLE_NAMES.deliveryLog);

  return {
    runtime,
    apiKey: runtime.apiKey,
    dynamo,
    sqs,
    apiKeys: new ApiKeyStore(dynamo, LOCAL_TABLE_NAMES.apiKeys),
    deliveryLog,
    pollErrors,
    async api<T>(method: string, path: string, body?: unknown, apiKey = runtime.apiKey) {
      const response = await fetch(`${runtime.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed as T, text };
    },
    async attemptsOf(webhookId) {
      const all: DeliveryAttempt[] = [];
      let cursor: string | undefined;
      do {
        const page = await deliveryLog.list(webhookId, { limit: 500, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
    async drainDeadLetters() {
      const jobs: DeliveryJob[] = [];
      for (let emptyReceives = 0; emptyReceives < 2; ) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: runtime.queues.deadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 300,
          }),
        );
        if (Messages.length === 0) {
          emptyReceives++;
          continue;
        }
        for (const message of Messages) {
          const decoded = decodeDeliveryJob(message.Body ?? '');
          if (!decoded.ok) throw new Error(`a dead letter is not a delivery job: ${decoded.error}`);
          jobs.push(decoded.job);
        }
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: runtime.queues.deadLetterQueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      return jobs;
    },
    async deliveriesOutstanding() {
      // Both lanes: retries and jobs of slow endpoints wait in the slow lane.
      const counts = await Promise.all(
        [runtime.queues.deliveriesQueueUrl, runtime.queues.slowLaneQueueUrl].map(async (queueUrl) => {
          const { Attributes = {} } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
          );
          return (
            Number(Attributes.ApproximateNumberOfMessages ?? 0) +
            Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
            Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
          );
        }),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
    async stop() {
      dynamo.destroy();
      sqs.destroy();
      await runtime.stop();
    },
  };
}

export { LOCAL_TABLE_NAMES };

/** Polls `read` until `done` says so; fails naming what was last seen. */
export async function waitUntil<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
