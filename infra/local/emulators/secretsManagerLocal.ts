/** A local Secrets Manager endpoint serving the calls this project makes. */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Secrets Manager endpoint speaking the AWS JSON 1.1 protocol, serving the calls this project
 * makes (CreateSecret, GetSecretValue by stage or version id, PutSecretValue, DeleteSecret,
 * DescribeSecret, ListSecrets), so the real `@aws-sdk/client-secrets-manager` code path runs unchanged
 * locally.
 *
 * It enforces Secrets Manager's quotas as AWS answers them
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html): a secret value of
 * at most 65,536 bytes (`ValidationException`) and each operation's request rate (`ThrottlingException`,
 * which the SDK retries with backoff). Tests scale a rate down with `rateLimits` to reach it.
 */
export interface SecretsManagerLocal {
  endpoint: string;
  port: number;
  /** Requests served, by operation (benchmarks count them). */
  readonly requestCounts: Readonly<Record<string, number>>;
  /** Makes the next call of `operation` fail with the given AWS error type (fault-injection for tests). */
  failNext(operation: string, errorType?: string): void;
  /** Every secret string ever stored (tests scan logs for them). */
  allSecretStrings(): string[];
  /** Requests refused with ThrottlingException, by operation. */
  readonly throttledCounts: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

interface SecretVersion {
  versionId: string;
  secretString: string;
  stages: Set<string>;
  createdDate: number;
}

interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  versions: SecretVersion[];
  deletionDate?: number;
  createdDate: number;
}

class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ACCOUNT = '000000000000';

// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html ("Secret value size":
// 65,536 bytes, not adjustable). AWS answers with the generic parameter-constraint ValidationException.
const MAX_SECRET_VALUE_BYTES = 65_536;

/**
 * Requests per second per operation, from the same page: GetSecretValue 10,000; DescribeSecret 40,000;
 * CreateSecret 50; DeleteSecret 50; PutSecretValue 50 (combined with UpdateSecret and the replication
 * calls, which this project does not make).
 */
const SECRETS_MANAGER_RATE_LIMITS: Readonly<Record<string, number>> = {
  GetSecretValue: 10_000,
  DescribeSecret: 40_000,
  CreateSecret: 50,
  DeleteSecret: 50,
  PutSecretValue: 50,
};

/** A token bucket per operation: `rate` requests a second, bursts up to one second's worth. */
function rateLimiter(rates: Readonly<Record<string, number>>, now: () => number) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (operation: string): boolean => {
    const rate = rates[operation];
    if (rate === undefined) return true;
    const t = now();
    const bucket = buckets.get(operation) ?? { tokens: rate, at: t };
    bucket.tokens = Math.min(rate, bucket.tokens + ((t - bucket.at) / 1000) * rate);
    bucket.at = t;
    buckets.set(operation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
}

export async function startSecretsManagerLocal(
  options: {
    port?: number;
    region?: string;
    /** Per-operation requests per second, overriding AWS's (tests scale them down to reach them). */
    rateLimits?: Readonly<Record<string, number>>;
    /** The rate limiter's clock (tests hold it still); default `Date.now`. */
    now?: () => number;
  } = {},
): Promise<SecretsManagerLocal> {
  const region = options.region ?? 'us-east-1';
  const withinRate = rateLimiter(
    { ...SECRETS_MANAGER_RATE_LIMITS, ...options.rateLimits },
    options.now ?? Date.now,
  );
  const throttled: Record<string, number> = {};
  const secrets = new Map<string, StoredSecret>();
  const byArn = new Map<string, StoredSecret>();
  const counts: Record<string, number> = {};
  const faults = new Map<string, string>();
  const everStored: string[] = [];

  const find = (secretId: unknown): StoredSecret => {
    if (typeof secretId !== 'string' || secretId.length === 0) {
      throw new AwsError('InvalidParameterException', 'SecretId is required');
    }
    const secret = secrets.get(secretId) ?? byArn.get(secretId);
    if (!secret)
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const assertNotDeleted = (secret: StoredSecret) => {
    if (secret.deletionDate !== undefined) {
      throw new AwsError(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
  };
  const addVersion = (secret: StoredSecret, secretString: unknown, token: unknown): SecretVersion => {
    if (typeof secretString !== 'string')
      throw new AwsError('InvalidParameterException', 'SecretString is required');
    if (Buffer.byteLength(secretString, 'utf8') > MAX_SECRET_VALUE_BYTES) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SECRET_VALUE_BYTES}`,
      );
    }
    const versionId = typeof token === 'string' && token.length > 0 ? token : randomUUID();
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      if (existing.secretString !== secretString) {
        throw new AwsError(
          'ResourceExistsException',
          'A version with this ClientRequestToken already exists.',
        );
      }
      return existing;
    }
    for (const version of secret.versions) {
      version.stages.delete('AWSPREVIOUS');
      if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS');
    }
    const version: SecretVersion = {
      versionId,
      secretString,
      stages: new Set(['AWSCURRENT']),
      createdDate: Date.now(),
    };
    everStored.push(secretString);
    secret.versions.push(version);
    // Like AWS, versions without a staging label are eventually removed; keep the list short.
    secret.versions = secret.versions.filter((v) => v.stages.size > 0);
    return version;
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateSecret(input) {
      const name = input.Name;
      if (typeof name !== 'string' || !/^[a-zA-Z0-9/_+=.@-]{1,512}$/.test(name)) {
        throw new AwsError('InvalidParameterException', 'Name is invalid');
      }
      if (secrets.has(name))
        throw new AwsError('ResourceExistsException', `The secret ${name} already exists.`);
      const arn = `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`;
      const secret: StoredSecret = {
        arn,
        name,
        versions: [],
        createdDate: Date.now(),
        ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
      };
      const version = addVersion(secret, input.SecretString, input.ClientRequestToken);
      secrets.set(name, secret);
      byArn.set(arn, secret);
      return { ARN: arn, Name: name, VersionId: version.versionId };
    },
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      assertNotDeleted(secret);
      const stage = typeof input.VersionStage === 'string' ? input.VersionStage : undefined;
      const versionId = typeof input.VersionId === 'string' ? input.VersionId : undefined;
      const version = secret.versions.find((v) =>
        versionId !== undefined
          ? v.versionId === versionId && (stage === undefined || v.stages.has(stage))
          : v.stages.has(stage ?? 'AWSCURRENT'),
      );
      if (!version) {
        throw new AwsError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret value for staging label or version.",
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.secretString,
        VersionStages: [...version.stages],
        CreatedDate: version.createdDate / 1000,
      };
    },
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      assertNotDeleted(secret);
      const version = addVersion(secret, input.SecretString, input.ClientRequestToken);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        VersionStages: [...version.stages],
      };
    },
    DescribeSecret(input) {
      const secret = find(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description === undefined ? {} : { Description: secret.description }),
        CreatedDate: secret.createdDate / 1000,
        ...(secret.deletionDate === undefined ? {} : { DeletedDate: secret.deletionDate / 1000 }),
        VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, [...v.stages]])),
      };
    },
    /** Without pagination (local stores are small); like AWS, hides secrets scheduled for deletion unless asked. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html */
    ListSecrets(input) {
      const includeDeleted = input.IncludePlannedDeletion === true;
      return {
        SecretList: [...secrets.values()]
          .filter((secret) => includeDeleted || secret.deletionDate === undefined)
          .map((secret) => ({
            ARN: secret.arn,
            Name: secret.name,
            ...(secret.description === undefined ? {} : { Description: secret.description }),
            CreatedDate: secret.createdDate / 1000,
            ...(secret.deletionDate === undefined ? {} : { DeletedDate: secret.deletionDate / 1000 }),
            SecretVersionsToStages: Object.fromEntries(
              secret.versions.map((v) => [v.versionId, [...v.stages]]),
            ),
          })),
      };
    },
    DeleteSecret(input) {
      const secret = find(input.SecretId);
      if (input.ForceDeleteWithoutRecovery === true) {
        secrets.delete(secret.name);
        byArn.delete(secret.arn);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 };
      }
      const days = typeof input.RecoveryWindowInDays === 'number' ? input.RecoveryWindowInDays : 30;
      if (days < 7 || days > 30) {
        throw new AwsError('InvalidParameterException', 'RecoveryWindowInDays must be between 7 and 30');
      }
      secret.deletionDate ??= Date.now() + days * 86_400_000;
      return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate / 1000 };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(body));
    };
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const implementation = operations[operation];
      if (req.method !== 'POST' || !implementation) {
        throw new AwsError('UnknownOperationException', `Operation "${operation}" is not supported here`);
      }
      counts[operation] = (counts[operation] ?? 0) + 1;
      if (!withinRate(operation)) {
        throttled[operation] = (throttled[operation] ?? 0) + 1;
        throw new AwsError('ThrottlingException', 'Rate exceeded');
      }
      const fault = faults.get(operation);
      if (fault) {
        faults.delete(operation);
        throw new AwsError(fault, `Injected ${fault}`, fault === 'InternalServiceError' ? 500 : 400);
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const input = raw.length > 0 ? (JSON.parse(raw) as Record<string, unknown>) : {};
      reply(200, implementation(input));
    } catch (error) {
      if (error instanceof AwsError) {
        reply(error.status, { __type: error.type, message: error.message }, error.type);
      } else {
        reply(400, { __type: 'InvalidRequestException', message: String(error) }, 'InvalidRequestException');
      }
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requestCounts: counts,
    throttledCounts: throttled,
    failNext(operation, errorType = 'InternalServiceError') {
      faults.set(operation, errorType);
    },
    allSecretStrings() {
      return [...everStored];
    },
    stop() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
