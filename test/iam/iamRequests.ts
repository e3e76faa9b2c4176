import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDED_CALLS_DIR, type RecordedCall, type RecordedResource } from './sdkCallRecorder';
import {
  type FunctionRole,
  PLACEHOLDER_ACCOUNT,
  PLACEHOLDER_REGION,
  placeholderSecretArn,
  type SynthesizedStack,
} from './synthesizedRoles';

/** One recorded call as IAM sees it: who asks, for which action, on which resource. */
export interface IamRequest {
  function: string;
  action: string;
  resourceArn: string;
  /** How the call came about, for messages: the API route, or Lambda's event source mapping. */
  via: string;
  /** The local resource name the call used. */
  localName: string;
}

/** Every call the test processes of this run recorded (see sdkCallRecorder.ts). */
export function readRecordedCalls(dir = RECORDED_CALLS_DIR): RecordedCall[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const lines = new Set(
    files.flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    ),
  );
  return [...lines].map((line) => JSON.parse(line) as RecordedCall);
}

/** The test files that ran in the suites of this run (absolute paths). */
export function readTestFilesThatRan(dir = RECORDED_CALLS_DIR): string[] {
  try {
    return readFileSync(join(dir, 'test-files.txt'), 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch {
    return [];
  }
}

const IAM_SERVICE_BY_CLIENT: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  // DynamoDB Streams actions are in the dynamodb namespace:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
  DynamoDBStreamsClient: 'dynamodb',
  SQSClient: 'sqs',
  SecretsManagerClient: 'secretsmanager',
};

/**
 * SQS authorizes its batch APIs with the single-message action; there is no `sqs:SendMessageBatch`:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
 * DynamoDB has its own `dynamodb:BatchWriteItem` / `dynamodb:BatchGetItem` actions.
 */
const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

export function iamActionOf(call: Pick<RecordedCall, 'client' | 'operation'>): string {
  const service = IAM_SERVICE_BY_CLIENT[call.client];
  if (service === undefined) {
    throw new Error(
      `the IAM check does not know the AWS service of ${call.client}; add it to iamRequests.ts`,
    );
  }
  const operation =
    service === 'sqs' ? (SQS_BATCH_ACTIONS[call.operation] ?? call.operation) : call.operation;
  return `${service}:${operation}`;
}

function queueArnOfUrl(url: string): string {
  const name = url.split('/').pop();
  return `arn:aws:sqs:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${name}`;
}

function arnFromTemplateValue(kind: RecordedResource['kind'], value: string): string {
  if (value.startsWith('arn:')) return value;
  if (kind === 'queue') return queueArnOfUrl(value);
  if (kind === 'table') return `arn:aws:dynamodb:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:table/${value}`;
  if (kind === 'secret') return placeholderSecretArn(value);
  throw new Error(`no ARN rule for a ${kind} named ${value}`);
}

/** The one ARN in `arns`, or an error naming what was ambiguous. */
function single(arns: string[], what: string): string {
  const distinct = [...new Set(arns)];
  if (distinct.length !== 1) {
    throw new Error(
      `${what}: the template has ${distinct.length} candidates (${distinct.join(', ') || 'none'})`,
    );
  }
  return distinct[0]!;
}

/**
 * The template's ARN for a resource a recorded call named. The function found it through an
 * environment variable (the same name in the template), through the CRM config (tables and their
 * streams), under the secret name prefix, or, for Lambda's pollers, through its event source mapping.
 */
export function templateArnOf(
  call: RecordedCall,
  resource: RecordedResource,
  fn: FunctionRole,
  stack: SynthesizedStack,
): string {
  if (resource.kind === 'any') return '*';
  const fromEnv = resource.envVars.find((name) => fn.environment[name] !== undefined);
  if (fromEnv !== undefined) return arnFromTemplateValue(resource.kind, fn.environment[fromEnv]!);
  const unmapped = `${call.function} ${call.operation} on "${resource.name}"`;
  switch (resource.kind) {
    case 'stream':
    case 'table': {
      const table =
        resource.kind === 'stream' ? /:table\/([^/]+)\/stream\//.exec(resource.name)?.[1] : resource.name;
      const arn =
        table === undefined
          ? undefined
          : resource.kind === 'stream'
            ? stack.streamArnByTableName(table)
            : stack.tableArnByName(table);
      if (arn === undefined) throw new Error(`${unmapped}: no table of that name in the template`);
      return arn;
    }
    case 'secret': {
      const name = resource.name.startsWith('arn:')
        ? (/:secret:(.+)-[A-Za-z0-9]{6}$/.exec(resource.name)?.[1] ?? resource.name)
        : resource.name;
      return placeholderSecretArn(name);
    }
    case 'queue':
      if (call.origin !== 'event-source-mapping') {
        throw new Error(
          `${unmapped}: the function reached this queue through ${resource.envVars.join(', ') || 'no environment variable'}, which the template does not set on it`,
        );
      }
      // Lambda's pollers: the queue is the mapping's source, or (SendMessage) its on-failure destination.
      if (call.operation === 'SendMessage') {
        return single(
          fn.eventSources.flatMap((s) => (s.onFailureArn ? [s.onFailureArn] : [])),
          `${unmapped} (on-failure destination)`,
        );
      }
      return single(
        fn.eventSources.map((s) => s.sourceArn).filter((arn) => arn.startsWith('arn:aws:sqs:')),
        `${unmapped} (SQS event source)`,
      );
  }
}

export function describeVia(call: RecordedCall): string {
  if (call.origin === 'event-source-mapping') return "Lambda's event source mapping";
  return call.request === undefined ? 'handler' : call.request;
}
