import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../infra/local/emulators/secretsManagerLocal';

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
