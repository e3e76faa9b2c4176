/**
 * Operator tool for workspace API keys:
 *   npm run api-key -- create --workspace <id> [--name <text>] [--json]
 *   npm run api-key -- revoke <keyId|key>
 * Reads API_KEYS_TABLE and the standard AWS settings (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_DYNAMODB).
 */

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDynamoDbClient } from '../../shared/adapters/aws/clients';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';

/** Workspace ids become part of Secrets Manager names (`<prefix>/<workspaceId>/<webhookId>`). */
const WORKSPACE_ID = /^[A-Za-z0-9_.@+=-]{1,128}$/;

const USAGE = `Usage:
  npm run api-key -- create --workspace <workspaceId> [--name <description>] [--json]
  npm run api-key -- revoke <keyId|key>

Environment: API_KEYS_TABLE (required), AWS_REGION and credentials as for any AWS tool,
AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local.`;

export interface ApiKeyCliDependencies {
  store: Pick<ApiKeyStore, 'create' | 'revoke'>;
  out: (line: string) => void;
  err: (line: string) => void;
}

export type ApiKeyCommand =
  | { kind: 'create'; workspaceId: string; name?: string; json: boolean }
  | { kind: 'revoke'; keyOrId: string }
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string };

/** Reads the arguments, before anything is touched: a mistake is one line saying what is wrong. */
export function parseApiKeyCommand(argv: readonly string[]): ApiKeyCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { kind: 'invalid', problem: (error as Error).message };
  }
  const [command, ...rest] = parsed.positionals;
  if (command === 'help' || parsed.values.help) return { kind: 'help' };
  if (command === 'create' && rest.length === 0) {
    const workspaceId = parsed.values.workspace;
    if (workspaceId === undefined) {
      return {
        kind: 'invalid',
        problem: '--workspace is required: 1-128 characters of letters, digits and _.@+=-',
      };
    }
    if (!WORKSPACE_ID.test(workspaceId)) {
      return {
        kind: 'invalid',
        problem: `--workspace ${JSON.stringify(workspaceId)} is not a valid workspace id: use 1-128 characters of letters, digits and _.@+=- (no spaces)`,
      };
    }
    const name = parsed.values.name;
    return {
      kind: 'create',
      workspaceId,
      ...(name === undefined ? {} : { name }),
      json: parsed.values.json === true,
    };
  }
  if (command === 'revoke' && rest.length === 1) return { kind: 'revoke', keyOrId: rest[0]! };
  return {
    kind: 'invalid',
    problem:
      command === 'create' || command === 'revoke'
        ? `unexpected arguments after ${command}: ${rest.join(' ') || '(none)'}`
        : command === undefined
          ? 'no command given'
          : `unknown command "${command}"`,
  };
}

/** Runs one command; returns the process exit code. */
export async function runApiKeyCli(argv: readonly string[], deps: ApiKeyCliDependencies): Promise<number> {
  const command = parseApiKeyCommand(argv);
  switch (command.kind) {
    case 'invalid':
      deps.err(`${command.problem}\n\n${USAGE}`);
      return 2;
    case 'help':
      deps.out(USAGE);
      return 0;
    case 'create': {
      const { workspaceId, name } = command;
      const { key, keyId } = await deps.store.create(workspaceId, name === undefined ? {} : { name });
      if (command.json) {
        deps.out(JSON.stringify({ key, keyId, workspaceId, ...(name === undefined ? {} : { name }) }));
      } else {
        deps.out(`API key for workspace "${workspaceId}" (shown only now, store it safely):`);
        deps.out(`  ${key}`);
        deps.out(`Key id (to revoke it later): ${keyId}`);
      }
      return 0;
    }
    case 'revoke': {
      if (!(await deps.store.revoke(command.keyOrId))) {
        deps.err('No such API key.');
        return 1;
      }
      deps.out('API key revoked. Running API instances stop accepting it within 30 seconds.');
      return 0;
    }
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      name: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function main(): Promise<void> {
  // The SDK warns about Node 20 on every run; this tool runs on the operator's machine, not on Lambda.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Every mistake at once, before any AWS call: the arguments and the table.
  const command = parseApiKeyCommand(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return;
  }
  const table = process.env.API_KEYS_TABLE;
  const problems = [
    ...(command.kind === 'invalid' ? [command.problem] : []),
    ...(table ? [] : ['API_KEYS_TABLE is required (the API keys table name)']),
  ];
  if (problems.length > 0 || !table) {
    console.error(`${problems.join('\n')}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const client = createDynamoDbClient();
  try {
    process.exitCode = await runApiKeyCli(process.argv.slice(2), {
      store: new ApiKeyStore(client, table),
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'ResourceNotFoundException') {
      const where = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? `region ${await client.config.region()}`;
      console.error(`API_KEYS_TABLE: there is no table "${table}" in ${where}.`);
    } else {
      console.error(`Failed: ${name}: ${message}`);
    }
    process.exitCode = 1;
  } finally {
    client.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
