import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { createCrmWebhooksStack } from '../../../infra/cdk/createCrmWebhooksStack';
import type { CrmWebhooksStack } from '../../../infra/cdk/crmWebhooksStack';
import { projectRoot } from '../../../infra/cdk/projectPaths';

export interface TestStackOptions {
  /** CDK context, exactly as `-c key=value` would pass it (strings are fine). */
  context?: Record<string, unknown>;
  /** A CRM sources config object, written to a temporary file and passed as `crmSourcesConfig`. */
  crmSources?: unknown;
  /** Bundle the functions with esbuild (slow); off by default. */
  bundle?: boolean;
  /**
   * Run CDK's built-in CloudFormation rules at synth (cdk.json enables them; they add about 2 s per
   * synth and never change the template, so only the test that checks them turns them on).
   */
  validateDefaultRules?: boolean;
  outdir?: string;
}

export interface TestStack {
  app: App;
  stack: CrmWebhooksStack;
  template: Template;
}

/**
 * Cloud assemblies and config files of the importing test file. Test files run isolated, so each gets
 * its own directory, removed after its last test.
 */
const scratchDir = mkdtempSync(join(tmpdir(), 'crm-webhooks-infra-test-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

/** The feature flags and defaults of cdk.json, so tests see the template `cdk synth` produces. */
const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(join(projectRoot, 'cdk.json'), 'utf8'),
).context;

/** Builds the stack the way `cdk synth` does (context -> settings -> config file -> stack). */
export function buildTestStack(options: TestStackOptions = {}): TestStack {
  const context: Record<string, unknown> = { ...cdkJsonContext, ...options.context };
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  if (!options.validateDefaultRules) context['@aws-cdk/core:validateAgainstDefaultRules'] = false;
  if (options.crmSources !== undefined) context.crmSourcesConfig = writeCrmSourcesFile(options.crmSources);
  const app = new App({ context, outdir: options.outdir ?? mkdtempSync(join(scratchDir, 'cdk.out-')) });
  const stack = createCrmWebhooksStack(app);
  return { app, stack, template: Template.fromStack(stack) };
}

export function writeCrmSourcesFile(config: unknown): string {
  const dir = mkdtempSync(join(scratchDir, 'crm-sources-'));
  const path = join(dir, 'crm-sources.json');
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

/** A stream ARN of an existing table, as the config's `streamArn` expects. */
export function streamArnFor(tableName: string, account = '123456789012', region = 'eu-west-1'): string {
  return `arn:aws:dynamodb:${region}:${account}:table/${tableName}/stream/2026-01-01T00:00:00.000`;
}

/** CloudFormation JSON is untyped; the tests assert on its shape instead. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
export type CfnProperties = Record<string, any>;
type CfnResource = { Type: string; Properties: CfnProperties };

/** The single resource of a type whose logical id contains `idPart`. */
export function resourceOf(template: Template, type: string, idPart: string): CfnResource & { id: string } {
  const matches = Object.entries(template.findResources(type)).filter(([id]) => id.includes(idPart));
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} matching "${idPart}", found ${matches.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  const [id, resource] = matches[0]!;
  return { id, ...(resource as CfnResource) };
}

export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}

/** Every statement of the inline policies attached to the role of the function whose id contains `idPart`. */
export function statementsOfFunction(template: Template, idPart: string): PolicyStatementJson[] {
  const fn = resourceOf(template, 'AWS::Lambda::Function', idPart);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Logical id referenced by `{Ref}` or `{Fn::GetAtt}`, or undefined for anything else. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return getAtt[0] as string;
  return undefined;
}
