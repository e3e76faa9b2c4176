/** The local runtime: emulators, tables, queues and the pollers that invoke the same handlers as on AWS. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { METRICS_NAMESPACE } from '../../shared/observability/metricCatalog';
import { buildConsoleAssets } from '../console/buildConsoleAssets';
import { type ApiGatewayServer, startApiGatewayServer } from './apiGatewayServer';
import { PipelineCounters } from './counters';
import { type DynamoDbLocal, startDynamoDbLocal } from './emulators/dynamoDbLocal';
import { freePort } from './emulators/freePort';
import { type SecretsManagerLocal, startSecretsManagerLocal } from './emulators/secretsManagerLocal';
import {
  type DeliveryQueues,
  type SqsLocal,
  type SqsLocalOptions,
  startSqsLocal,
} from './emulators/sqsLocal';
import type { SqsRulesGuard } from './emulators/sqsRulesGuard';
import type { LambdaHandler } from './lambdaContext';
import { LOCAL_TABLE_NAMES, LOCAL_WORKSPACE_ID } from './localNames';
import type { LocalSettings } from './localSettings';
import { assertPortsFree } from './portCheck';
import { createLocalSigningKeySecret, LOCAL_SIGNING_KEY_SECRET_NAME } from './signingKeySecret';
import { type SqsPoller, startSqsPoller } from './sqsPoller';
import { type StreamPoller, startStreamPoller } from './streamPoller';
import { streamRecordToLambda } from './streamRecordToLambda';
import { createCrmTable, createProductTables } from './tables';

export interface LocalHandlers {
  api: LambdaHandler<APIGatewayProxyEventV2, unknown>;
  eventMapper: LambdaHandler<DynamoDBStreamEvent, unknown>;
  delivery: LambdaHandler<SQSEvent, unknown>;
}

export { LOCAL_TABLE_NAMES, LOCAL_WORKSPACE_ID };

/**
 * Receive loops each delivery lane starts with: Lambda's SQS event source begins with five concurrent
 * pollers (batches) and scales up from there with the backlog:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
const INITIAL_SQS_POLLERS = 5;

interface Pollers {
  stream: StreamPoller;
  /** The primary delivery lane (the deliveries queue). */
  sqs: SqsPoller;
  slowLane: SqsPoller;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const API_TIMEOUT_MS = 29_000;
const MAPPER_TIMEOUT_MS = 60_000;

/** The pollers' batching windows (the local form of the latency preset). */
export type BatchingWindowsMs = Pick<LocalSettings, 'mapperBatchingWindowMs' | 'deliveryBatchingWindowMs'>;

export interface LocalRuntime {
  apiUrl: string;
  /** The web console (`GET /console` of the API). */
  consoleUrl: string;
  apiKey: string;
  /** True when the key came from WEBHOOKS_API_KEY rather than being generated. */
  apiKeyFromEnv: boolean;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  /** The SQS rules guard every SQS call goes through: its violations, its in-flight quota. */
  sqsGuard: SqsRulesGuard;
  secretsManagerEndpoint: string;
  dynamoDbPid: number;
  crmTables: string[];
  queues: DeliveryQueues;
  counters: PipelineCounters;
  /** Reads the queue gauges into `counters`. */
  refreshCounters(): Promise<void>;
  /**
   * Stops both pollers, letting in-flight invocations finish (like disabling the event source mappings).
   * Nothing is read from the streams or the queue until `resumePollers`.
   */
  pausePollers(): Promise<void>;
  /**
   * Starts the pollers again; the streams resume after the last record processed before the pause.
   * `windows` changes the batching windows from then on, as updating the event source mappings'
   * MaximumBatchingWindowInSeconds does on AWS.
   */
  resumePollers(windows?: Partial<BatchingWindowsMs>): void;
  /** Stops the API, drains the pollers, stops the emulators (DynamoDB Local's Java process included). */
  stop(): Promise<void>;
}

/**
 * The environment the three functions read at cold start, as the CDK stack sets it on AWS, plus the
 * standard endpoint overrides pointing the SDK at the emulators. Values the user set win where the
 * functions have knobs (retry delays, timeouts, log level).
 */
export function handlerEnvironment(
  settings: LocalSettings,
  endpoints: { dynamoDb: string; sqs: string; secretsManager: string },
  queues: DeliveryQueues,
  userEnv: NodeJS.ProcessEnv,
  consoleAssetsDir?: string,
): Record<string, string> {
  const defaults: Record<string, string> = {
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // EMF metrics go to stdout, where CloudWatch would pick them up; locally they are noise.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // No webhook cache locally: a webhook created, rotated or disabled applies to the very next change
    // (people try things one command after another; on AWS the functions cache for a few seconds).
    WEBHOOK_CACHE_TTL_SECONDS: '0',
    // Likewise a key rotation applies to the next seal (on AWS the API re-reads the current key each minute).
    SIGNING_KEY_REFRESH_SECONDS: '0',
    // The stack's maxWebhooksPerWorkspace default; `MAX_WEBHOOKS_PER_WORKSPACE=… npm start` changes it.
    MAX_WEBHOOKS_PER_WORKSPACE: '100',
  };
  const fixed: Record<string, string> = {
    WEBHOOKS_TABLE: LOCAL_TABLE_NAMES.webhooks,
    API_KEYS_TABLE: LOCAL_TABLE_NAMES.apiKeys,
    DELIVERY_LOG_TABLE: LOCAL_TABLE_NAMES.deliveryLog,
    DELIVERIES_QUEUE_URL: queues.deliveriesQueueUrl,
    SLOW_LANE_QUEUE_URL: queues.slowLaneQueueUrl,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    MAPPER_FAILURE_QUEUE_URL: queues.mapperFailureQueueUrl,
    CRM_SOURCES_CONFIG: JSON.stringify(settings.crmSources),
    MAX_ATTEMPTS: String(settings.maxAttempts),
    SECRET_STORE: settings.secretStore,
    ...(settings.secretStore === 'envelope' ? { SIGNING_KEY_SECRET_ID: LOCAL_SIGNING_KEY_SECRET_NAME } : {}),
    LOCAL_MODE: 'true',
    AWS_REGION: settings.region,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamoDb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    // The emulators accept any credentials; never send real ones to them.
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(consoleAssetsDir === undefined ? {} : { CONSOLE_ASSETS_DIR: consoleAssetsDir }),
  };
  const fromUser = Object.fromEntries(
    Object.keys(defaults)
      .filter((name) => userEnv[name] !== undefined && userEnv[name] !== '')
      .map((name) => [name, userEnv[name] as string]),
  );
  return { ...defaults, ...fromUser, ...fixed };
}

/** Like Promise.all, but waits for every task, so nothing started keeps running unnoticed after a failure. */
async function allOrFirstError<T extends readonly unknown[]>(
  tasks: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function streamArnOf(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}

/**
 * Starts the whole pipeline on loopback. `loadHandlers` is called once the environment is set, so
 * handlers that read it at import (the real ones) see the local endpoints. The API server starts last:
 * once it answers, tables, queues and pollers are ready.
 */
export async function startLocalRuntime(
  settings: LocalSettings,
  loadHandlers: () => Promise<LocalHandlers>,
  options: {
    env?: NodeJS.ProcessEnv;
    onPollError?: (error: unknown) => void;
    /** The SQS rules guard's scaled in-flight quota and clock (tests); AWS's values by default. */
    sqsRules?: Pick<SqsLocalOptions, 'inFlightLimit' | 'now'>;
  } = {},
): Promise<LocalRuntime> {
  const env = options.env ?? process.env;
  await assertPortsFree([
    { port: settings.apiPort, envVar: 'PORT', what: 'management API' },
    { port: settings.dynamoDbPort, envVar: 'DYNAMODB_PORT', what: 'DynamoDB Local' },
    { port: settings.sqsPort, envVar: 'SQS_PORT', what: 'SQS emulator' },
    { port: settings.secretsManagerPort, envVar: 'SECRETS_MANAGER_PORT', what: 'Secrets Manager endpoint' },
  ]);

  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error) => console.error('while stopping:', error));
    }
  };

  /** The web console, built for this run as the CDK stack builds it into the API function's asset. */
  const buildConsole = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crm-webhooks-console-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await buildConsoleAssets(dir);
    return dir;
  };

  try {
    const [sqsLocal, secrets, consoleAssetsDir] = await Promise.all([
      startSqsLocal({ ...options.sqsRules, port: settings.sqsPort }).then((s: SqsLocal) => {
        cleanups.push(() => s.stop());
        return s;
      }),
      startSecretsManagerLocal({ port: settings.secretsManagerPort, region: settings.region }).then(
        (s: SecretsManagerLocal) => {
          cleanups.push(() => s.stop());
          return s;
        },
      ),
      buildConsole(),
    ]);
    if (settings.secretStore === 'envelope') {
      await createLocalSigningKeySecret({
        endpoint: secrets.endpoint,
        region: settings.region,
        credentials: LOCAL_CREDENTIALS,
      });
    }
    const queues = sqsLocal.createDeliveryQueues({
      maxReceiveCount: settings.crashLoopMaxReceives,
      visibilityTimeoutSeconds: settings.deliveryTimeoutSeconds * 6,
    });
    const dynamoDbPort = settings.dynamoDbPort === 0 ? await freePort() : settings.dynamoDbPort;
    const dynamoDbEndpoint = `http://127.0.0.1:${dynamoDbPort}`;
    Object.assign(
      process.env,
      handlerEnvironment(
        settings,
        { dynamoDb: dynamoDbEndpoint, sqs: sqsLocal.endpoint, secretsManager: secrets.endpoint },
        queues,
        env,
        consoleAssetsDir,
      ),
    );

    const clientConfig = { region: settings.region, credentials: LOCAL_CREDENTIALS };
    const dynamoDb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoDbEndpoint });
    const streams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: dynamoDbEndpoint });
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
    cleanups.push(async () => {
      dynamoDb.destroy();
      streams.destroy();
      sqs.destroy();
    });
    const crmTables = settings.crmSources.crmTables.map((t) => t.tableName);

    // The handlers only create SDK clients at import: load them while DynamoDB Local boots.
    const [handlers, { dynamo, streamArns, apiKey }] = await allOrFirstError([
      loadHandlers(),
      (async () => {
        const started: DynamoDbLocal = await startDynamoDbLocal({ port: dynamoDbPort });
        cleanups.push(() => started.stop());
        await Promise.all([
          createProductTables(dynamoDb, LOCAL_TABLE_NAMES),
          ...crmTables.map((name) => createCrmTable(dynamoDb, name, settings.crmSources.idAttribute)),
        ]);
        const created = await new ApiKeyStore(dynamoDb, LOCAL_TABLE_NAMES.apiKeys).create(
          LOCAL_WORKSPACE_ID,
          {
            ...(settings.apiKey === undefined ? {} : { key: settings.apiKey }),
            name: 'local',
          },
        );
        return {
          dynamo: started,
          streamArns: await Promise.all(crmTables.map((name) => streamArnOf(dynamoDb, name))),
          apiKey: created.key,
        };
      })(),
    ]);
    const queueArnOf = async (queueUrl: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    const [deliveriesQueueArn, slowLaneQueueArn] = await Promise.all([
      queueArnOf(queues.deliveriesQueueUrl),
      queueArnOf(queues.slowLaneQueueUrl),
    ]);
    // One delivery handler, two event sources (lanes), each with its own concurrency, as on AWS.
    const deliveryPoller = (lane: { queueUrl: string; queueArn: string; concurrency: number }) =>
      startSqsPoller({
        sqs,
        queueUrl: lane.queueUrl,
        queueArn: lane.queueArn,
        handler: handlers.delivery,
        functionName: 'delivery',
        timeoutMs: settings.deliveryTimeoutSeconds * 1000,
        region: settings.region,
        concurrency: lane.concurrency,
        minConcurrency: Math.min(lane.concurrency, INITIAL_SQS_POLLERS),
        // Every lane gets the latency preset's window, as every SQS event source does on AWS.
        maxBatchingWindowMs: windows.deliveryBatchingWindowMs,
        onBatch: (result) => counters.recordSqsBatch(result),
        endWaitingPolls: () => sqsLocal.guard.endLongPolls(lane.queueUrl),
        ...(options.onPollError ? { onPollError: options.onPollError } : {}),
      });

    const counters = new PipelineCounters();
    // Kept across a pause and resume, as Lambda keeps an event source mapping's position while disabled.
    const streamCheckpoints = new Map<string, string>();
    const windows: BatchingWindowsMs = {
      mapperBatchingWindowMs: settings.mapperBatchingWindowMs,
      deliveryBatchingWindowMs: settings.deliveryBatchingWindowMs,
    };
    const startPollers = (): Pollers => ({
      stream: startStreamPoller({
        streams,
        streamArns,
        handler: handlers.eventMapper,
        toLambdaRecord: streamRecordToLambda,
        functionName: 'event-mapper',
        timeoutMs: MAPPER_TIMEOUT_MS,
        failureDestination: { sqs, queueUrl: queues.mapperFailureQueueUrl },
        // The tables were created by this run: read every record written to them.
        startingPosition: 'TRIM_HORIZON',
        checkpoints: streamCheckpoints,
        maxRetryAttempts: settings.mapperRetryAttempts,
        maxBatchingWindowMs: windows.mapperBatchingWindowMs,
        onBatch: (result) => counters.recordStreamBatch(result),
        ...(options.onPollError ? { onPollError: options.onPollError } : {}),
      }),
      sqs: deliveryPoller({
        queueUrl: queues.deliveriesQueueUrl,
        queueArn: deliveriesQueueArn,
        concurrency: settings.deliveryConcurrency,
      }),
      slowLane: deliveryPoller({
        queueUrl: queues.slowLaneQueueUrl,
        queueArn: slowLaneQueueArn,
        concurrency: settings.slowLaneConcurrency,
      }),
    });
    let pollers: Pollers | undefined = startPollers();
    const stopPollers = async () => {
      const running = pollers;
      pollers = undefined;
      if (running) await Promise.all([running.stream.stop(), running.sqs.stop(), running.slowLane.stop()]);
    };
    cleanups.push(stopPollers);

    const api: ApiGatewayServer = await startApiGatewayServer({
      handler: handlers.api,
      port: settings.apiPort,
      functionName: 'subscriptions-api',
      timeoutMs: API_TIMEOUT_MS,
    });
    cleanups.push(() => api.stop());

    return {
      apiUrl: api.url,
      consoleUrl: `${api.url}/console`,
      apiKey,
      apiKeyFromEnv: settings.apiKey !== undefined,
      dynamoDbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqsLocal.endpoint,
      sqsGuard: sqsLocal.guard,
      secretsManagerEndpoint: secrets.endpoint,
      dynamoDbPid: dynamo.pid,
      crmTables,
      queues,
      counters,
      refreshCounters: () =>
        counters.refreshQueueGauges(
          sqs,
          queues,
          (pollers?.sqs.inFlight ?? 0) + (pollers?.slowLane.inFlight ?? 0),
        ),
      pausePollers: stopPollers,
      resumePollers(changed = {}) {
        if (pollers) return;
        if (changed.mapperBatchingWindowMs !== undefined)
          windows.mapperBatchingWindowMs = changed.mapperBatchingWindowMs;
        if (changed.deliveryBatchingWindowMs !== undefined)
          windows.deliveryBatchingWindowMs = changed.deliveryBatchingWindowMs;
        pollers = startPollers();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

type ApiEntry = typeof import('../../functions/subscriptions-api/handler');
type EventMapperEntry = typeof import('../../functions/event-mapper/handler');
type DeliveryEntry = typeof import('../../functions/delivery/handler');

let handlerImports = 0;

/**
 * The real functions, imported only now that their environment is set. Each entry module reads its
 * environment once, when it is evaluated, as on Lambda; a second runtime in the same process (the
 * benchmark runs several one after the other) therefore gets fresh copies of the three entry modules,
 * evaluated against the environment of its own emulators. Their dependencies are shared: plain code.
 */
export async function importProductHandlers(): Promise<LocalHandlers> {
  const instance = handlerImports++;
  // A query makes a new module instance (tsx, Node and vitest alike); vite has nothing to analyse here.
  const fresh = instance === 0 ? '' : `?instance=${instance}`;
  const [api, eventMapper, delivery] = await Promise.all([
    import(/* @vite-ignore */ `../../functions/subscriptions-api/handler${fresh}`) as Promise<ApiEntry>,
    import(/* @vite-ignore */ `../../functions/event-mapper/handler${fresh}`) as Promise<EventMapperEntry>,
    import(/* @vite-ignore */ `../../functions/delivery/handler${fresh}`) as Promise<DeliveryEntry>,
  ]);
  return {
    api: api.handler as LocalHandlers['api'],
    eventMapper: eventMapper.handler as LocalHandlers['eventMapper'],
    delivery: delivery.handler as LocalHandlers['delivery'],
  };
}
