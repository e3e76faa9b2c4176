import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Each synth starts a Node process that loads aws-cdk-lib: seconds each, far more on a loaded machine. */
const SYNTH_TEST_TIMEOUT_MS = 180_000;

const outDir = mkdtempSync(join(tmpdir(), 'cdk-app-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Runs the CDK app as `cdk synth` does (context in CDK_CONTEXT_JSON), without bundling. */
function synth(context: Record<string, unknown>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'infra/cdk/app.ts'], {
    env: {
      ...process.env,
      CDK_OUTDIR: outDir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
    },
    encoding: 'utf8',
  });
}

describe('infra/cdk/app.ts on a settings mistake', () => {
  it(
    'prints one line per problem, no stack trace, and exits 1',
    () => {
      const result = synth({ maxAttempts: '0', logLevel: 'LOUD' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Invalid CDK context:');
      expect(result.stderr).toMatch(/- context "maxAttempts": .*\(set it with -c maxAttempts=\.\.\.\)/);
      expect(result.stderr).toMatch(/- context "logLevel"/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );

  it(
    'names a missing or invalid CRM sources config file the same way',
    () => {
      const missing = synth({ crmSourcesConfig: 'config/no-such-file.json' });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/CRM sources config not found: .*no-such-file\.json/);
      expect(missing.stderr).not.toMatch(/\n\s+at /);

      const invalid = join(outDir, 'crm-sources.json');
      writeFileSync(invalid, JSON.stringify({ crmTables: [] }));
      const bad = synth({ crmSourcesConfig: invalid });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/Invalid CRM sources config .*crm-sources\.json:\n/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
