import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestStack, streamArnFor, type TestStack } from './helpers/stackFactories';

function nagFindings(built: TestStack) {
  const report = new AwsSolutionsChecks().validateScope(built.app);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    paths: v.violatingResources.map((r) => r.constructPath),
  }));
}

/** Every `Validations.of(x).acknowledge()` in the tree, with the construct it sits on. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ path: c.node.path, id, reason })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  let demo: TestStack;
  beforeAll(() => {
    demo = buildTestStack({ context: { alarmEmail: 'oncall@example.com' } });
  });

  it('reports no unacknowledged errors or warnings for the demo stack', () => {
    expect(nagFindings(demo)).toEqual([]);
  });

  it('reports none for imported, single-table and created CRM tables with custom settings', () => {
    const built = buildTestStack({
      context: {
        secretStore: 'per-webhook',
        secretNamePrefix: 'acme/hooks',
        removalPolicy: 'destroy',
        deliveryReservedConcurrency: '120',
      },
      crmSources: {
        crmTables: [
          { tableName: 'prod-crm', objectAttribute: 'entityType', streamArn: streamArnFor('prod-crm') },
          { tableName: 'demo-note', object: 'note' },
        ],
      },
    });
    expect(nagFindings(built)).toEqual([]);
  });

  it('would report a new wildcard permission (the check is live)', () => {
    const built = buildTestStack();
    built.stack.delivery.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }),
    );
    expect(nagFindings(built)).toEqual([
      expect.objectContaining({
        rule: 'AwsSolutions-IAM5[Resource::*]',
        severity: 'error',
        paths: [expect.stringContaining('/Delivery/')],
      }),
    ]);
  });

  it('acknowledges only known findings, each with a reason a reviewer can check', () => {
    const acks = acknowledgements(demo.app);
    const ids = [...new Set(acks.map((a) => a.id.replace(/^annotation::/i, '')))].sort();
    expect(ids).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-DDB3',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SNS2',
      'AwsSolutions-SQS3',
    ]);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} on ${ack.path}`).toBeGreaterThan(120);
    }
    // Acknowledgements sit on the construct they concern, never on the whole stack or app.
    expect(acks.every((a) => a.path.split('/').length >= 2)).toBe(true);
    const wildcardAcks = acks.filter((a) => a.id.includes('IAM5[Resource::*]'));
    expect(wildcardAcks.map((a) => a.path)).toEqual(['CrmWebhooks/EventMapper/Mapper']);
    expect(wildcardAcks[0]!.reason).toMatch(/ListStreams/);
  });
});

describe("CDK's built-in CloudFormation rules (enabled in cdk.json)", () => {
  it('find nothing to report in the synthesized template', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-validate-'));
    try {
      const built = buildTestStack({ validateDefaultRules: true, outdir });
      built.app.synth();
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
