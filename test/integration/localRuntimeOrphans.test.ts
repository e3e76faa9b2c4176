import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators/freePort';
import { isAlive } from '../helpers/e2eLocalRuntime';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe.runIf(process.platform === 'linux')(
  'DynamoDB Local never outlives the process that started it',
  () => {
    it('ends Java when its parent is killed with SIGKILL (no chance to clean up)', async () => {
      const port = await freePort();
      const script = `
      import { startDynamoDbLocal } from './infra/local/emulators/dynamoDbLocal.ts';
      const dynamo = await startDynamoDbLocal({ port: ${port} });
      console.log('java pid ' + dynamo.pid);
      setInterval(() => {}, 1000);
    `;
      const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const javaPid = await new Promise<number>((resolve, reject) => {
        let out = '';
        parent.stdout!.on('data', (chunk) => {
          out += chunk;
          const match = /java pid (\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
      });
      expect(isAlive(javaPid)).toBe(true);

      parent.kill('SIGKILL');
      const deadline = Date.now() + 10_000;
      while (isAlive(javaPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(isAlive(javaPid)).toBe(false);
    }, 40_000);
  },
);
