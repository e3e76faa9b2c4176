import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators/freePort';
import { type DocBlock, docBlocks, outputMismatch } from '../helpers/docBlocks';
import { type LocalRuntimeProcess, startLocalRuntimeProcess } from '../helpers/e2eLocalRuntime';

/*
 * The guides' commands, pasted as a reader would: every `sh` block of the guides below runs in order,
 * as in one terminal (variables carry over from block to block and guide to guide), against `npm start` started as the README's
 * Quick start starts it. A block fails the test when a command fails, when curl gets an answer that is
 * not 2xx (unless the block says `status=N`), or when its output no longer matches the output the guide
 * shows under it. Conventions: test/helpers/docBlocks.ts and docs/local.md → "The docs are tested".
 *
 * Two things differ from a reader's terminal, both so the test can run beside a developer's own stack:
 * the documented ports (3000 API, 8000 DynamoDB, 4000/4001 receivers) are replaced by free ones in the
 * commands and the expected output, and PORT / DYNAMODB_PORT carry them to the npm scripts. The shell
 * gets no AWS settings at all (no AWS_* variables, no config or credentials file), like a fresh machine.
 */

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The key the README's Quick start starts `npm start` with. */
const DOCUMENTED_API_KEY = 'local-demo-key-0123456789';
/**
 * In the order a reader meets them, in one terminal: the README links to local.md, whose webhook
 * delivery.md's examples use; api.md ends by deleting its webhook.
 */
const CORE_GUIDES = ['README.md', 'docs/local.md', 'docs/delivery.md', 'docs/console.md', 'docs/api.md'];
/** Every other guide too, so a command added anywhere is run unless its block says why not (`skip=`). */
const GUIDES = [
  ...CORE_GUIDES,
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`)
    .filter((guide) => !CORE_GUIDES.includes(guide))
    .sort(),
];
const BLOCK_TIMEOUT_MS = 90_000;
const WAIT_FOR_OUTPUT_MS = 30_000;
const STATUS_MARK = 'docs-test-http-status';

let runtime: LocalRuntimeProcess;
let workDir: string;
let ports: Record<string, number>;
const started: ChildProcess[] = [];

function isInstalled(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The documented ports, replaced by this run's (`127.0.0.1:3000`, `localhost:4000`, `PORT=4001`, …). */
function withRunPorts(text: string): string {
  return text.replace(
    /\b(127\.0\.0\.1:|localhost:|PORT=)(3000|8000|4000|4001)\b/g,
    (_, prefix: string, port: string) => `${prefix}${ports[port]}`,
  );
}

/** A fresh machine's environment: PATH without the repo's node_modules/.bin, and nothing from AWS. */
function shellEnvironment(binDir: string): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '' && !entry.includes('node_modules'));
  return {
    PATH: [binDir, ...path].join(delimiter),
    HOME: process.env.HOME ?? workDir,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_UPDATE_NOTIFIER: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
    PORT: String(ports['3000']),
    DYNAMODB_PORT: String(ports['8000']),
  };
}

interface BlockRun {
  code: number | null;
  output: string;
  /** HTTP statuses curl received, in order. */
  statuses: number[];
}

/** Runs one block in bash, with the variables earlier blocks of the guide left behind (`state`). */
async function runBlock(code: string, state: string, env: NodeJS.ProcessEnv): Promise<BlockRun> {
  const script = [
    'set -a', // every variable a block sets is kept for the next block, as in one terminal
    `[ -f '${state}' ] && . '${state}'`,
    `trap 'export -p > "${state}"' EXIT`,
    'set -eo pipefail',
    code,
  ].join('\n');
  // Its own process group: what a block leaves running (a receiver started with &) is stopped at the end.
  const child = spawn('bash', ['-c', script], { cwd: REPO_ROOT, env, detached: true, stdio: 'pipe' });
  started.push(child);
  child.stdin.end();
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), BLOCK_TIMEOUT_MS);
  // `exit`, not `close`: a background process of the block keeps the pipes open.
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 50));
  const statuses = [...output.matchAll(new RegExp(`${STATUS_MARK} (\\d+)`, 'g'))].map((m) => Number(m[1]));
  // curl -s prints no newline after a body: the status line ends it, as the next prompt would.
  const shown = output.replace(new RegExp(`${STATUS_MARK} \\d+\n?`, 'g'), '\n');
  return { code: exitCode, output: shown, statuses };
}

function problemsOf(block: DocBlock, run: BlockRun): string[] {
  const problems: string[] = [];
  if (run.code !== block.exit) problems.push(`exit code ${run.code}, expected ${block.exit}`);
  const refused = run.statuses.filter((s) => (s < 200 || s > 299) && !block.allowedStatuses.includes(s));
  if (refused.length > 0) problems.push(`curl got HTTP ${refused.join(', ')} (0 = no answer)`);
  if (block.expected) {
    const mismatch = outputMismatch(
      { kind: block.expected.kind, text: withRunPorts(block.expected.text) },
      run.output,
    );
    if (mismatch) problems.push(`output differs from the guide: ${mismatch}`);
  }
  return problems;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'docs-test-'));
  ports = {
    '4000': await freePort(),
    '4001': await freePort(),
  };
  runtime = await startLocalRuntimeProcess({ WEBHOOKS_API_KEY: DOCUMENTED_API_KEY });
  ports['3000'] = Number(new URL(runtime.apiUrl).port);
  ports['8000'] = Number(new URL(runtime.dynamoDbEndpoint).port);
  // curl as the reader has it, plus one line on stderr with each answer's status for the checks above.
  const binDir = join(workDir, 'bin');
  execFileSync('mkdir', ['-p', binDir]);
  const realCurl = execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(binDir, 'curl'),
    `#!/bin/sh\nexec '${realCurl}' --write-out '%{stderr}${STATUS_MARK} %{http_code}\\n' "$@"\n`,
  );
  chmodSync(join(binDir, 'curl'), 0o755);
}, 120_000);

afterAll(async () => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await runtime?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The commands the banner offers to paste (each with its continuation lines joined), in order. */
function bannerCommands(output: string): string[] {
  const lines = output.split('\n');
  const from = lines.findIndex((line) => line.startsWith('In another terminal'));
  const to = lines.findIndex((line) => line.startsWith('Or run the guided demo'));
  const commands: string[] = [];
  let current = '';
  for (const line of lines.slice(from + 1, to)) {
    if (!line.startsWith('  ')) continue;
    current += `${line.slice(2)}\n`;
    if (!line.endsWith('\\')) {
      commands.push(current.trimEnd());
      current = '';
    }
  }
  return commands;
}

describe('the npm start banner: its commands, pasted into a shell with no AWS settings', () => {
  let receiver: Server;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push((JSON.parse(body) as { event: string }).event);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(ports['4000'], '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  const eventually = async (what: string, check: () => boolean) => {
    for (let deadline = Date.now() + WAIT_FOR_OUTPUT_MS; !check(); ) {
      if (Date.now() > deadline) expect.fail(`${what}: received only ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const removeRecord = () =>
    runtime.dynamo.send(new DeleteItemCommand({ TableName: 'person', Key: { id: { S: 'p1' } } }));

  it('creates a webhook, and each way of writing a record fires it', async () => {
    const commands = bannerCommands(runtime.output()).map(withRunPorts);
    const [variables, createWebhook, putRecordCommand, awsCommand] = commands;
    expect(commands).toHaveLength(4);
    expect(variables).toBe(`export API=${runtime.apiUrl} KEY=${DOCUMENTED_API_KEY}`);
    expect(awsCommand).toContain('AWS_DEFAULT_REGION=');
    const env = shellEnvironment(join(workDir, 'bin'));
    const state = join(workDir, 'banner-variables.sh');

    const created = await runBlock(`${variables}\n${createWebhook}`, state, env);
    expect(created.code, created.output).toBe(0);
    expect(created.statuses).toEqual([201]);

    if (isInstalled('aws')) {
      const written = await runBlock(awsCommand!, state, env);
      expect(written.code, written.output).toBe(0);
      await eventually('the aws CLI write fired no person.created', () =>
        received.includes('person.created'),
      );
      await removeRecord();
      await eventually('the removal fired nothing', () => received.length >= 2);
    }
    const before = received.filter((event) => event === 'person.created').length;
    const put = await runBlock(putRecordCommand!, state, env);
    expect(put.code, put.output).toBe(0);
    await eventually(
      'npm run put-record fired no person.created',
      () => received.filter((event) => event === 'person.created').length > before,
    );
    // The guides below write p1 again: as a new record, so it is an INSERT for their webhooks too.
    await removeRecord();
    const id = (JSON.parse(created.output.trim().split('\n')[0]!) as { id: string }).id;
    const deleted = await fetch(`${runtime.apiUrl}/webhooks/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${DOCUMENTED_API_KEY}` },
    });
    expect(deleted.status).toBe(204);
  }, 120_000);
});

for (const guide of GUIDES) {
  const blocks = docBlocks(readFileSync(join(REPO_ROOT, guide), 'utf8'));
  if (blocks.length === 0) continue; // a guide without shell commands (event-mapper.md, scaling.md)
  describe(`${guide}: commands as written`, () => {
    if (CORE_GUIDES.includes(guide)) {
      it('has commands to run', () => {
        expect(blocks.filter((b) => b.skip === undefined).length).toBeGreaterThan(0);
      });
    }

    for (const block of blocks) {
      const title = `${guide}:${block.line} ${block.code.split('\n')[0]!.slice(0, 70)}`;
      // A block the test does not run stays visible in the report, with the doc's reason, and the test
      // checks that the doc gives one a reader can act on.
      if (block.skip !== undefined) {
        const reason = block.skip;
        it(`${title} — not run: ${reason}`, () => {
          expect(reason.trim().split(/\s+/).length, 'skip="…" must say why, in words').toBeGreaterThanOrEqual(
            3,
          );
        });
        continue;
      }
      if (block.needs !== undefined && !isInstalled(block.needs)) {
        // Without the tool, the run block just above must make the same write another way.
        const previous = blocks[blocks.indexOf(block) - 1];
        it(`${title} — not run: ${block.needs} is not installed here; the block above covers it`, () => {
          expect(previous?.skip, 'the block above runs').toBeUndefined();
          expect(previous?.code, 'the block above makes the same write').toContain('npm run put-record');
        });
        continue;
      }
      it(
        title,
        async () => {
          const env = shellEnvironment(join(workDir, 'bin'));
          const code = withRunPorts(block.code);
          const deadline = Date.now() + (block.wait ? WAIT_FOR_OUTPUT_MS : 0);
          for (;;) {
            const run = await runBlock(code, join(workDir, 'shell-variables.sh'), env);
            const problems = problemsOf(block, run);
            if (problems.length === 0) return;
            if (Date.now() >= deadline) {
              expect.fail(`${problems.join('\n')}\n--- the block printed:\n${run.output}`);
            }
            await new Promise((r) => setTimeout(r, 1_000));
          }
        },
        BLOCK_TIMEOUT_MS + WAIT_FOR_OUTPUT_MS,
      );
    }
  });
}
