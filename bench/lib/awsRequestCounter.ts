/** Counts the AWS requests (by service and operation) the code under benchmark makes. */

import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { FORWARDED_BY_GUARD_HEADER } from '../../infra/local/emulators/sqsRulesGuard';

/** Requests a benchmark's own clients make carry this header and are not counted. */
const BENCH_ROLE_HEADER = 'x-bench-role';

export type AwsService = 'sqs' | 'dynamodb' | 'dynamodbStreams' | 'secretsManager' | 'other';

const SERVICE_OF_PREFIX: [string, AwsService][] = [
  ['AmazonSQS.', 'sqs'],
  ['DynamoDBStreams_', 'dynamodbStreams'],
  ['DynamoDB_', 'dynamodb'],
  ['secretsmanager.', 'secretsManager'],
];

export type RequestCounts = Record<string, number>;

export interface AwsRequestCounter {
  /** Counts so far by `<service>.<Operation>` (e.g. `sqs.SendMessageBatch`). */
  snapshot(): RequestCounts;
  stop(): void;
}

/**
 * Counts every AWS SDK request this process sends, by operation, from Node's `http.client.request.start`
 * diagnostics channel: the handlers' own clients, the local pollers (Lambda's event source mappings)
 * and retries included, without touching any client. The SDK's JSON protocols name the operation in
 * `X-Amz-Target`. Requests tagged with BENCH_ROLE_HEADER (load generators, probes) are skipped.
 */
export function startAwsRequestCounter(): AwsRequestCounter {
  const counts: RequestCounts = {};
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    if (request.getHeader(BENCH_ROLE_HEADER) !== undefined) return;
    // The local SQS rules guard forwards every SQS call to fauxqs: the same call, counted once.
    if (request.getHeader(FORWARDED_BY_GUARD_HEADER) !== undefined) return;
    const target = request.getHeader('x-amz-target');
    if (typeof target !== 'string') return;
    const prefix = SERVICE_OF_PREFIX.find(([p]) => target.startsWith(p));
    const service = prefix?.[1] ?? 'other';
    const operation = target.slice(target.indexOf('.') + 1);
    const key = `${service}.${operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  diagnosticsChannel.subscribe('http.client.request.start', onRequest);
  return {
    snapshot: () => ({ ...counts }),
    stop: () => diagnosticsChannel.unsubscribe('http.client.request.start', onRequest),
  };
}

export function countsBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  const delta: RequestCounts = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d > 0) delta[key] = d;
  }
  return delta;
}

export function totalFor(counts: RequestCounts, service: AwsService): number {
  return Object.entries(counts)
    .filter(([key]) => key.startsWith(`${service}.`))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Tags every request of an SDK client so the counter leaves it out (the benchmark's own traffic). */
export function tagAsBenchTraffic(client: {
  middlewareStack: { add: (middleware: never, options: { step: 'build'; name: string }) => void };
}): void {
  const middleware = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    const request = (args as { request?: { headers?: Record<string, string> } }).request;
    if (request?.headers) request.headers[BENCH_ROLE_HEADER] = 'load';
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'build', name: 'benchTrafficTag' });
}
