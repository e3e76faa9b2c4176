import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, existsSync } from 'node:fs';
import { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test-only recorder of the AWS SDK commands the product's functions send, for the IAM check
 * (`recordedCallsAreAllowed.test.ts`). Nothing in `functions/`, `shared/` or `infra/` knows about it:
 * it is installed by the vitest setup file in test workers and by a `--import` preload in the local
 * runtime processes the e2e tests spawn.
 *
 * How a call is attributed to a function, without touching product code:
 * - every SDK client class extends `@smithy/core/client`'s `Client`; the recorder swaps that export for
 *   a subclass (before any client module is loaded) that adds a middleware to each new client and
 *   remembers where the client was constructed. Clients built under `functions/<name>/` belong to
 *   that function (each function builds its own clients at cold start);
 * - clients built by the local runtime (`infra/local/localRuntime.ts`) serve its pollers, which stand
 *   in for Lambda's event source mappings; Lambda makes those calls with the function's execution role,
 *   so a call from the stream poller counts for the event mapper and one from the SQS poller for
 *   delivery (only on resources the functions are configured with);
 * - a harness that calls a handler directly can name the function with `recordCallsAs`;
 * - the API route: each HTTP request a local server receives runs in an async context holding its
 *   method and path, so calls made while answering it carry them.
 * Calls made by test code itself (creating tables, reading queues) are not attributed and not recorded.
 */

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where every process appends the calls it saw (one JSON object a line); reset by globalSetup. */
export const RECORDED_CALLS_DIR = join(REPO_ROOT, '.scratch', 'sdk-calls');

export type CallOrigin = 'function' | 'event-source-mapping';

export interface RecordedResource {
  kind: 'table' | 'stream' | 'queue' | 'secret' | 'any';
  /** The local name, URL or ARN the call named. */
  name: string;
  /** Environment variables of the function whose value is exactly `name` (how the function knew it). */
  envVars: string[];
}

export interface RecordedCall {
  function: string;
  origin: CallOrigin;
  /** `METHOD /path` of the API request being answered, for the management API. */
  request?: string;
  /** The SDK client, e.g. `DynamoDBClient`. */
  client: string;
  /** The operation, e.g. `BatchWriteItem`. */
  operation: string;
  resources: RecordedResource[];
  /** The CRM sources config the function ran with (stream and CRM table resources depend on it). */
  crmSourcesConfig?: string;
  /** SECRET_STORE the function ran with: the stack grants secrets differently in each mode. */
  secretStore?: string;
}

interface CallScope {
  function?: string;
  request?: string;
  /** The environment the handler was configured with, when it is not `process.env`. */
  env?: Record<string, string | undefined>;
}

interface RecorderState {
  scopes: AsyncLocalStorage<CallScope>;
  seen: Set<string>;
  file: string;
  /** Shard iterator -> stream ARN: GetRecords names only its iterator. */
  iterators: Map<string, string>;
}

const STATE_KEY = Symbol.for('crm-webhooks.test.sdkCallRecorder');
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: RecorderState };

function state(): RecorderState | undefined {
  return (globalThis as GlobalWithState)[STATE_KEY];
}

/**
 * Runs `fn` with the SDK calls it makes attributed to `functionName` (for harnesses that call a
 * handler directly with clients the test built). A no-op wrapper when the recorder is not installed.
 */
export function recordCallsAs<T>(
  scope: { function: string; request?: string; env?: Record<string, string | undefined> },
  fn: () => T,
): T {
  const recorder = state();
  return recorder ? recorder.scopes.run(scope, fn) : fn();
}

type Owner = { kind: 'function'; name: string } | { kind: 'local-runtime' } | { kind: 'other' };

const FUNCTION_FRAME = new RegExp(`${escapeRegExp(join(REPO_ROOT, 'functions'))}/([^/]+)/`);
const LOCAL_RUNTIME_FRAME = join(REPO_ROOT, 'infra', 'local', 'localRuntime.ts');
const POLLER_FRAMES: { file: string; function: string }[] = [
  { file: join(REPO_ROOT, 'infra', 'local', 'streamPoller.ts'), function: 'event-mapper' },
  { file: join(REPO_ROOT, 'infra', 'local', 'sqsPoller.ts'), function: 'delivery' },
];

/**
 * `/webhooks/wh_1a2B/deliveries` -> `/webhooks/{id}/deliveries`: segments that are not plain words
 * (lower-case letters, hyphens, dots) are ids, so one line stands for all calls of a route.
 */
export function routeOf(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === '' || /^[a-z.-]+$/.test(segment) ? segment : '{id}'))
    .join('/');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function currentStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}

function ownerFromConstructionStack(stack: string): Owner {
  const fn = FUNCTION_FRAME.exec(stack);
  if (fn) return { kind: 'function', name: fn[1]! };
  if (stack.includes(LOCAL_RUNTIME_FRAME)) return { kind: 'local-runtime' };
  return { kind: 'other' };
}

/** The resources a command names, by the input fields the project's clients use. */
function resourcesOf(
  client: string,
  operation: string,
  input: Record<string, unknown>,
  recorder: RecorderState,
) {
  const found: { kind: RecordedResource['kind']; name: string }[] = [];
  const add = (kind: RecordedResource['kind'], name: unknown) => {
    if (typeof name === 'string' && name !== '') found.push({ kind, name });
  };
  if (client === 'DynamoDBClient') {
    add('table', input.TableName);
    for (const name of Object.keys((input.RequestItems as object) ?? {})) add('table', name);
    for (const item of (input.TransactItems as Record<string, { TableName?: string }>[]) ?? []) {
      for (const part of Object.values(item)) add('table', part?.TableName);
    }
  } else if (client === 'DynamoDBStreamsClient') {
    add('stream', input.StreamArn);
    if (operation === 'GetRecords') add('stream', recorder.iterators.get(input.ShardIterator as string));
  } else if (client === 'SQSClient') {
    add('queue', input.QueueUrl);
  } else if (client === 'SecretsManagerClient') {
    add('secret', input.SecretId ?? input.Name);
  }
  if (found.length === 0) found.push({ kind: 'any', name: '*' });
  return found;
}

function envVarsNaming(name: string, env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([, value]) => value === name)
    .map(([key]) => key)
    .sort();
}

function record(recorder: RecorderState, call: RecordedCall): void {
  const line = JSON.stringify(call);
  if (recorder.seen.has(line)) return;
  recorder.seen.add(line);
  // Synchronous: a runtime process stopped by a signal must not lose what it saw.
  appendFileSync(recorder.file, `${line}\n`);
}

/** Does the recorded resource belong to the function's configuration (not to a test's own queue)? */
function isConfigured(resource: RecordedResource, crmSourcesConfig: string | undefined): boolean {
  if (resource.envVars.length > 0) return true;
  if (resource.kind !== 'stream' || crmSourcesConfig === undefined) return false;
  const table = /:table\/([^/]+)\/stream\//.exec(resource.name)?.[1];
  return crmSourcesConfig.includes(JSON.stringify(table));
}

function recordingMiddleware(recorder: RecorderState, owner: Owner) {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware types are generic over every client
  return (next: any, context: any) => async (args: any) => {
    const client: string = context.clientName ?? 'UnknownClient';
    const operation: string = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
    const input = (args.input ?? {}) as Record<string, unknown>;
    const scope = recorder.scopes.getStore();

    let fn: string | undefined;
    let origin: CallOrigin = 'function';
    if (scope?.function) fn = scope.function;
    else if (owner.kind === 'function') fn = owner.name;
    else if (owner.kind === 'local-runtime') {
      // The poller calling is the frame right above the SDK in this synchronous stack.
      const stack = currentStack();
      const poller = POLLER_FRAMES.find((p) => stack.includes(p.file));
      if (poller) {
        fn = poller.function;
        origin = 'event-source-mapping';
      }
    }

    if (fn !== undefined) {
      const env = scope?.env ?? process.env;
      const crmSourcesConfig = env.CRM_SOURCES_CONFIG;
      const resources = resourcesOf(client, operation, input, recorder).map((r) => ({
        ...r,
        envVars: r.kind === 'any' ? [] : envVarsNaming(r.name, env),
      }));
      const relevant = origin === 'function' || resources.every((r) => isConfigured(r, crmSourcesConfig));
      if (relevant) {
        record(recorder, {
          function: fn,
          origin,
          ...(scope?.request ? { request: scope.request } : {}),
          client,
          operation,
          resources,
          // CRM tables are named by the CRM config, not by an environment variable of their own.
          ...(crmSourcesConfig &&
          resources.some((r) => r.kind === 'stream' || (r.kind === 'table' && r.envVars.length === 0))
            ? { crmSourcesConfig }
            : {}),
          ...(env.SECRET_STORE ? { secretStore: env.SECRET_STORE } : {}),
        });
      }
    }

    const result = await next(args);
    if (client === 'DynamoDBStreamsClient') {
      const output = result?.output ?? {};
      const stream =
        operation === 'GetShardIterator'
          ? (input.StreamArn as string)
          : recorder.iterators.get(input.ShardIterator as string);
      if (operation === 'GetRecords') recorder.iterators.delete(input.ShardIterator as string);
      const nextIterator = output.ShardIterator ?? output.NextShardIterator;
      if (stream && typeof nextIterator === 'string') recorder.iterators.set(nextIterator, stream);
    }
    return result;
  };
}

/**
 * Installs the recorder in this process, once. Must run before any `@aws-sdk/client-*` module is
 * loaded; throws if one was loaded first (its clients would go unrecorded). Does nothing when the
 * recordings directory does not exist (outside a test run).
 */
export function installSdkCallRecorder(): void {
  const global = globalThis as GlobalWithState;
  if (global[STATE_KEY] || !existsSync(RECORDED_CALLS_DIR)) return;
  const recorder: RecorderState = {
    scopes: new AsyncLocalStorage<CallScope>(),
    seen: new Set(),
    file: join(RECORDED_CALLS_DIR, `${process.pid}.jsonl`),
    iterators: new Map(),
  };
  global[STATE_KEY] = recorder;

  const require = createRequire(import.meta.url);
  const smithyClient = require('@smithy/core/client') as { Client: new (config: unknown) => object };
  const BaseClient = smithyClient.Client;
  class RecordingClient extends BaseClient {
    constructor(config: unknown) {
      super(config);
      // Clients of test code are recorded too, but only inside a `recordCallsAs` scope.
      const owner = ownerFromConstructionStack(currentStack());
      (
        this as unknown as { middlewareStack: { add: (mw: unknown, options: object) => void } }
      ).middlewareStack.add(recordingMiddleware(recorder, owner), {
        step: 'initialize',
        priority: 'high',
        name: 'recordSdkCallForIamCheck',
      });
    }
  }
  smithyClient.Client = RecordingClient;
  for (const clientModule of [
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-dynamodb-streams',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-secrets-manager',
  ]) {
    const exported = require(clientModule) as Record<string, { prototype: object }>;
    const clientClass = Object.entries(exported).find(([name]) => /^[A-Z]\w*Client$/.test(name))?.[1];
    if (!clientClass || !(clientClass.prototype instanceof RecordingClient)) {
      throw new Error(
        `${clientModule} was loaded before the SDK call recorder was installed; its calls would escape the IAM check`,
      );
    }
  }

  // Each request a local HTTP server receives (the management API's among them) runs in a context
  // naming it, so the API's SDK calls carry their route.
  const emit = Server.prototype.emit as (this: Server, event: string, ...args: unknown[]) => boolean;
  Server.prototype.emit = function emitWithRequestScope(this: Server, event: string, ...args: unknown[]) {
    if (event !== 'request') return emit.call(this, event, ...args);
    const request = args[0] as { method?: string; url?: string };
    const path = routeOf((request.url ?? '').split('?')[0] ?? '');
    return recorder.scopes.run({ request: `${request.method} ${path}` }, () =>
      emit.call(this, event, ...args),
    );
  } as typeof Server.prototype.emit;
}
