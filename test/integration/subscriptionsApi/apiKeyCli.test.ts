import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApiKeyCli } from '../../../infra/cli/apiKeys';
import { dynamoDbEndpoint } from '../../helpers/emulators';
import { type ApiHarness, startApiHarness } from './apiHarness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api.stop();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runApiKeyCli(argv, {
    store: api.apiKeys,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('api-key CLI', () => {
  it('creates a key that authenticates for its workspace only', async () => {
    const created = await cli('create', '--workspace', 'ws-cli', '--name', 'ci', '--json');
    expect(created.code).toBe(0);
    const { key, keyId, workspaceId } = JSON.parse(created.out);
    expect(key).toMatch(/^cwk_/);
    expect(keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(workspaceId).toBe('ws-cli');
    const list = await api.call({ apiKey: key, method: 'GET', path: '/webhooks' });
    expect(list.status).toBe(200);
    expect(list.json.data).toEqual([]);
  });

  it('prints the key once in human form', async () => {
    const created = await cli('create', '-w', 'ws-cli');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/shown only now[\s\S]*cwk_[\w-]{43}[\s\S]*Key id/);
  });

  it('revokes by key id or by key', async () => {
    const first = JSON.parse((await cli('create', '--workspace', 'ws-cli', '--json')).out);
    expect((await cli('revoke', first.keyId)).code).toBe(0);
    const refused = await api.call({ apiKey: first.key, method: 'GET', path: '/webhooks' });
    expect(refused.status).toBe(401);
    const second = JSON.parse((await cli('create', '--workspace', 'ws-cli', '--json')).out);
    expect((await cli('revoke', second.key)).code).toBe(0);
    expect(await api.apiKeys.findWorkspace(second.key)).toBeUndefined();
    const unknown = await cli('revoke', 'cwk_unknown');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No such API key');
  });

  it.each([
    [['create']],
    [['create', '--workspace', 'has/slash']],
    [['create', '--workspace', '']],
    [['revoke']],
    [['frobnicate']],
    [['create', '--bogus-flag']],
  ])('refuses bad arguments %j with usage', async (argv) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain('Usage:');
  });

  it('says what is wrong with a --workspace value that was given', async () => {
    const result = await cli('create', '--workspace', 'bad workspace!');
    expect(result.code).toBe(2);
    expect(result.err).toContain('--workspace "bad workspace!" is not a valid workspace id');
    expect(result.err).not.toContain('--workspace is required');
    expect((await cli('create')).err).toContain('--workspace is required');
  });

  it('reports a bad argument and a missing API_KEYS_TABLE together, before any AWS call', async () => {
    const env = { ...process.env };
    delete env.API_KEYS_TABLE;
    const result = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/apiKeys.ts', 'create', '--workspace', 'bad workspace!'],
      { env, timeout: 30_000 },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    const [first, second] = result.stderr.split('\n');
    expect(first).toContain('--workspace "bad workspace!" is not a valid workspace id');
    expect(second).toBe('API_KEYS_TABLE is required (the API keys table name)');
  });

  it('names a wrong table in its error, without a stack trace', async () => {
    const result = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/apiKeys.ts', 'create', '--workspace', 'ws-spawned'],
      {
        env: {
          ...process.env,
          API_KEYS_TABLE: 'no-such-table',
          AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint(),
        },
        timeout: 30_000,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `API_KEYS_TABLE: there is no table "no-such-table" in ${dynamoDbEndpoint()}`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs as `npm run api-key` does, from the environment', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'infra/cli/apiKeys.ts', 'create', '--workspace', 'ws-spawned', '--json'],
      {
        env: {
          ...process.env,
          API_KEYS_TABLE: api.tables.apiKeys,
          AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint(),
        },
        timeout: 30_000,
      },
    );
    const { key } = JSON.parse(stdout.trim());
    expect(await api.apiKeys.findWorkspace(key)).toBe('ws-spawned');
  });
});
