import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../../../../infra/local/emulators/secretsManagerLocal';

describe('local Secrets Manager endpoint (real SDK client)', () => {
  let server: SecretsManagerLocal;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    server = await startSecretsManagerLocal();
    client = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1' });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it('creates, rotates with AWSCURRENT/AWSPREVIOUS, reads by version id and schedules deletion', async () => {
    const created = await client.send(
      new CreateSecretCommand({ Name: 'crm-webhooks/ws/a', SecretString: 'one' }),
    );
    expect(created.VersionId).toBeTruthy();
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: 'crm-webhooks/ws/a', SecretString: 'two' }),
    );

    const current = await client.send(new GetSecretValueCommand({ SecretId: 'crm-webhooks/ws/a' }));
    expect(current.SecretString).toBe('two');
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'crm-webhooks/ws/a', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('one');
    const byVersion = await client.send(
      new GetSecretValueCommand({ SecretId: created.ARN!, VersionId: created.VersionId! }),
    );
    expect(byVersion.SecretString).toBe('one');
    expect(put.VersionStages).toEqual(['AWSCURRENT']);

    await client.send(new DeleteSecretCommand({ SecretId: 'crm-webhooks/ws/a', RecoveryWindowInDays: 7 }));
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: 'crm-webhooks/ws/a' })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
  });

  it('answers unknown secrets and duplicate names with the AWS error types', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'x' }));
    await expect(
      client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'y' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
  });

  it('injects a fault into the next call of an operation only', async () => {
    // A 4xx error type: the SDK does not retry it, so the injected failure reaches the caller.
    server.failNext('CreateSecret', 'EncryptionFailure');
    await expect(
      client.send(new CreateSecretCommand({ Name: 'f1', SecretString: 'x' })),
    ).rejects.toMatchObject({
      name: 'EncryptionFailure',
    });
    await expect(
      client.send(new CreateSecretCommand({ Name: 'f1', SecretString: 'x' })),
    ).resolves.toBeTruthy();
  });
});

describe('Secrets Manager quotas (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html)', () => {
  let server: SecretsManagerLocal;
  // No SDK retries: the throttling answers themselves are under test.
  const clientFor = (s: SecretsManagerLocal) =>
    new SecretsManagerClient({ endpoint: s.endpoint, region: 'us-east-1', maxAttempts: 1 });

  afterEach(async () => {
    await server?.stop();
  });

  it('accepts a secret value of 65,536 bytes and rejects one byte more, on create and on put', async () => {
    server = await startSecretsManagerLocal();
    const client = clientFor(server);
    try {
      // 16,384 four-byte characters = 65,536 bytes: the limit counts UTF-8 bytes.
      await client.send(new CreateSecretCommand({ Name: 'size/ok', SecretString: '🦊'.repeat(16_384) }));
      const tooBig = 'x'.repeat(65_537);
      for (const call of [
        client.send(new CreateSecretCommand({ Name: 'size/big', SecretString: tooBig })),
        client.send(
          new PutSecretValueCommand({ SecretId: 'size/ok', SecretString: `${'🦊'.repeat(16_384)}!` }),
        ),
      ]) {
        await expect(call).rejects.toMatchObject({
          name: 'ValidationException',
          message: expect.stringContaining('Member must have length less than or equal to 65536'),
          $metadata: { httpStatusCode: 400 },
        });
      }
      const stored = await client.send(new GetSecretValueCommand({ SecretId: 'size/ok' }));
      expect(stored.SecretString).toBe('🦊'.repeat(16_384));
    } finally {
      client.destroy();
    }
  });

  it('throttles CreateSecret and PutSecretValue past 50 requests a second with ThrottlingException', async () => {
    let clock = Date.now();
    server = await startSecretsManagerLocal({ now: () => clock });
    const client = clientFor(server);
    try {
      // Within one second (the limiter's clock stands still): 50 pass, the 51st is throttled.
      for (let i = 0; i < 50; i++) {
        await client.send(new CreateSecretCommand({ Name: `rate/${i}`, SecretString: 's' }));
      }
      await expect(
        client.send(new CreateSecretCommand({ Name: 'rate/50', SecretString: 's' })),
      ).rejects.toMatchObject({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      });
      for (let i = 0; i < 50; i++) {
        await client.send(new PutSecretValueCommand({ SecretId: 'rate/0', SecretString: `v${i}` }));
      }
      await expect(
        client.send(new PutSecretValueCommand({ SecretId: 'rate/0', SecretString: 'one too many' })),
      ).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect(server.throttledCounts).toEqual({ CreateSecret: 1, PutSecretValue: 1 });
      // A second later the bucket is full again.
      clock += 1_000;
      await client.send(new CreateSecretCommand({ Name: 'rate/50', SecretString: 's' }));
    } finally {
      client.destroy();
    }
  });

  it('throttles GetSecretValue at its (scaled-down) rate, and refills with time', async () => {
    let clock = Date.now();
    server = await startSecretsManagerLocal({ rateLimits: { GetSecretValue: 5 }, now: () => clock });
    const client = clientFor(server);
    try {
      await client.send(new CreateSecretCommand({ Name: 'read/a', SecretString: 'value' }));
      const burst = () =>
        Promise.allSettled(
          Array.from({ length: 8 }, () => client.send(new GetSecretValueCommand({ SecretId: 'read/a' }))),
        );
      const first = await burst();
      expect(first.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      for (const r of first.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason.name).toBe('ThrottlingException');
      }
      clock += 400; // 0.4 s at 5/s: two more
      expect((await burst()).filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    } finally {
      client.destroy();
    }
  });
});
