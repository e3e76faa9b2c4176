import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import {
  describeVia,
  type IamRequest,
  iamActionOf,
  readRecordedCalls,
  readTestFilesThatRan,
  templateArnOf,
} from './iamRequests';
import type { RecordedCall } from './sdkCallRecorder';
import {
  type DeploymentChoices,
  PLACEHOLDER_ACCOUNT,
  type PolicyStatement,
  type SynthesizedStack,
  synthesizeStack,
} from './synthesizedRoles';

/**
 * The IAM check. The emulators enforce no IAM, so every other test passes whatever the roles say. Here
 * each AWS call the functions made during this run's integration and e2e suites (recorded by
 * sdkCallRecorder.ts, project "suites", which runs first) is evaluated against that function's role in
 * the synthesized template by an IAM policy simulator. A call the role does not allow fails the test.
 * Granted actions that no recorded call used are printed, so grants nobody needs can be removed.
 *
 * Run alone (`npx vitest run test/iam`), it re-checks the calls the last suite run recorded: edit a
 * grant, re-run this file.
 */

const FUNCTIONS = ['subscriptions-api', 'event-mapper', 'delivery'] as const;

/**
 * The e2e pipeline suite drives every function (API routes, mapper, delivery) through `npm start`:
 * when it ran, a function without recorded calls means the recorder is broken. Runs of a few files
 * (`vitest --changed`) check what they recorded.
 */
const SUITE_THAT_EXERCISES_EVERY_FUNCTION = 'test/e2e/pipeline.test.ts';

const calls = readRecordedCalls();
const completeRun = readTestFilesThatRan().some((file) => file.endsWith(SUITE_THAT_EXERCISES_EVERY_FUNCTION));

const defaultStack = synthesizeStack();
const stacksByChoices = new Map<string, SynthesizedStack>([['{}', defaultStack]]);

/**
 * The stack as deployed with what the call's function ran with: its secret store mode, and its CRM
 * config unless the default stack has every CRM table of it (synthesizing takes seconds).
 */
function stackFor(call: RecordedCall): SynthesizedStack {
  const choices: DeploymentChoices = {};
  if (call.secretStore !== undefined) choices.secretStore = call.secretStore;
  if (call.crmSourcesConfig !== undefined) {
    const tables = (JSON.parse(call.crmSourcesConfig) as { crmTables: { tableName: string }[] }).crmTables;
    if (!tables.every((t) => defaultStack.tableArnByName(t.tableName) !== undefined)) {
      choices.crmSourcesConfig = call.crmSourcesConfig;
    }
  }
  const key = JSON.stringify(choices);
  let stack = stacksByChoices.get(key);
  if (!stack) {
    stack = synthesizeStack(choices);
    stacksByChoices.set(key, stack);
  }
  return stack;
}

function requestsOf(call: RecordedCall): IamRequest[] {
  const stack = stackFor(call);
  const fn = stack.functions.get(call.function);
  if (!fn) throw new Error(`the template has no function whose POWERTOOLS_SERVICE_NAME is ${call.function}`);
  return call.resources.map((resource) => ({
    function: call.function,
    action: iamActionOf(call),
    resourceArn: templateArnOf(call, resource, fn, stack),
    via: describeVia(call),
    localName: resource.name,
  }));
}

async function isAllowed(
  request: IamRequest,
  stack: SynthesizedStack,
): Promise<{ allowed: boolean; why: string }> {
  const fn = stack.functions.get(request.function)!;
  const result = await runSimulation(
    {
      request: {
        principal: fn.roleArn,
        action: request.action,
        resource: { resource: request.resourceArn, accountId: PLACEHOLDER_ACCOUNT },
        // Lambda calls AWS over TLS; queue policies deny anything else.
        contextVariables: { 'aws:SecureTransport': 'true' },
      },
      identityPolicies: fn.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error')
    return { allowed: false, why: `simulator error: ${result.errors.message}` };
  return { allowed: result.overallResult === 'Allowed', why: result.overallResult };
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(value);
}

/**
 * `action on resource` pairs an Allow statement grants that no request used. `logs:` actions are left
 * out: Lambda itself writes the function's logs with its role, never the function's SDK clients
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
 */
function unexercisedGrants(statements: PolicyStatement[], used: IamRequest[]): string[] {
  const unused: string[] = [];
  for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
    for (const action of asList(statement.Action).filter((a) => !a.startsWith('logs:'))) {
      for (const resource of asList(statement.Resource)) {
        const exercised = used.some(
          (r) => globMatches(action, r.action) && globMatches(resource, r.resourceArn),
        );
        if (!exercised) unused.push(`${action} on ${resource}`);
      }
    }
  }
  return unused;
}

describe('IAM: every AWS call the functions made in the suites is allowed by their role in the synthesized template', () => {
  it('has recorded calls of every function when the suites that exercise them all ran', () => {
    const recorded = new Set(calls.map((c) => c.function));
    const missing = FUNCTIONS.filter((fn) => !recorded.has(fn));
    if (completeRun) {
      expect(missing, 'functions with no recorded AWS call although the e2e pipeline suite ran').toEqual([]);
    } else {
      console.log(
        `IAM: partial run (${SUITE_THAT_EXERCISES_EVERY_FUNCTION} did not run): checking ${calls.length} recorded calls; not exercised here: ${missing.join(', ') || 'none'}. npm test runs the full check.`,
      );
    }
  });

  it('allows each recorded call, and lists granted actions no call used', async () => {
    const denied: string[] = [];
    const checked = new Map<string, IamRequest>();
    const usedByFunction = new Map<string, IamRequest[]>();
    for (const call of calls) {
      const stack = stackFor(call);
      for (const request of requestsOf(call)) {
        const key = `${request.function} ${request.action} ${request.resourceArn}`;
        usedByFunction.set(request.function, [...(usedByFunction.get(request.function) ?? []), request]);
        if (checked.has(key)) continue;
        checked.set(key, request);
        const { allowed, why } = await isAllowed(request, stack);
        if (!allowed) {
          denied.push(
            `${request.function} (${request.via}): ${request.action} on ${request.resourceArn} (locally "${request.localName}") is ${why}`,
          );
        }
      }
    }

    const report = FUNCTIONS.flatMap((name) => {
      const fn = defaultStack.functions.get(name);
      if (!fn) return [];
      const statements = fn.policies.flatMap((p) => p.document.Statement);
      const unused = unexercisedGrants(statements, usedByFunction.get(name) ?? []);
      return unused.length === 0 ? [] : [`${name}:`, ...unused.map((u) => `  ${u}`)];
    });
    console.log(
      !completeRun
        ? 'IAM: partial run, so no list of unused grants (npm test prints it).'
        : report.length === 0
          ? 'IAM: every granted action was used by some recorded call.'
          : `IAM: granted, but no recorded call used them (remove, or justify in a comment at the grant):\n${report.join('\n')}`,
    );

    expect(denied, 'AWS calls the functions make that their roles do not allow').toEqual([]);
    if (completeRun) expect(checked.size).toBeGreaterThan(0);
    // Synthesizing (twice when a suite ran a custom CRM config) takes a few seconds on a busy machine.
  }, 120_000);
});
