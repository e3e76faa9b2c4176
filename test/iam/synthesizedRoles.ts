import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { createCrmWebhooksStack } from '../../infra/cdk/createCrmWebhooksStack';
import { projectRoot } from '../../infra/cdk/projectPaths';

/**
 * The functions' execution roles and environments as the synthesized CloudFormation template defines
 * them, with every intrinsic (Ref, Fn::GetAtt, Fn::Join, ...) resolved to placeholder names and ARNs.
 * The same placeholders name the resources the recorded calls used, so policies and calls meet on
 * equal terms: a table is `arn:aws:dynamodb:us-east-1:123456789012:table/<name or logical id>`.
 */

export const PLACEHOLDER_REGION = 'us-east-1';
export const PLACEHOLDER_ACCOUNT = '123456789012';
const PARTITION = 'aws';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static type
type Json = any;

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, unknown>;
}

export interface FunctionRole {
  /** The function's logical id in the template. */
  logicalId: string;
  roleArn: string;
  /** Inline and attached customer policies, resolved (AWS managed policies are not included). */
  policies: { name: string; document: PolicyDocument }[];
  /** AWS managed policy ARNs attached to the role (logging only, for Lambda's basic role). */
  managedPolicyArns: string[];
  /** Environment variables, resolved to placeholder names, URLs and ARNs. */
  environment: Record<string, string>;
  /** The function's event source mappings: what Lambda reads for it, and where it reports failures. */
  eventSources: { sourceArn: string; onFailureArn?: string }[];
}

export interface SynthesizedStack {
  /** Keyed by POWERTOOLS_SERVICE_NAME, which is the function's folder name under functions/. */
  functions: Map<string, FunctionRole>;
  /** Placeholder ARN of a DynamoDB table by its physical name (as the CRM config names it). */
  tableArnByName(name: string): string | undefined;
  /** Placeholder stream ARN of the table with that physical name. */
  streamArnByTableName(name: string): string | undefined;
}

function tableArn(name: string): string {
  return `arn:${PARTITION}:dynamodb:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:table/${name}`;
}

function placeholderStreamArn(tableName: string): string {
  return `${tableArn(tableName)}/stream/2026-01-01T00:00:00.000`;
}

export function placeholderSecretArn(secretName: string): string {
  // Secrets Manager appends a hyphen and six random characters to every secret's name in its ARN.
  return `arn:${PARTITION}:secretsmanager:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:secret:${secretName}-AbCdEf`;
}

class IntrinsicResolver {
  constructor(private readonly resources: Record<string, { Type: string; Properties?: Json }>) {}

  /** The physical name a resource gets: its literal name property, else its logical id. */
  private physicalName(id: string): string {
    const { Type, Properties = {} } = this.resource(id);
    const literal = { 'AWS::DynamoDB::Table': 'TableName', 'AWS::SQS::Queue': 'QueueName' }[Type];
    const name = literal === undefined ? undefined : Properties[literal];
    if (Type === 'AWS::SecretsManager::Secret' && typeof Properties.Name === 'string') return Properties.Name;
    return typeof name === 'string' ? name : id;
  }

  private resource(id: string) {
    const resource = this.resources[id];
    if (!resource) throw new Error(`the template references ${id}, which it does not define`);
    return resource;
  }

  private arn(id: string): string {
    const { Type } = this.resource(id);
    const name = this.physicalName(id);
    switch (Type) {
      case 'AWS::DynamoDB::Table':
        return tableArn(name);
      case 'AWS::SQS::Queue':
        return `arn:${PARTITION}:sqs:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${name}`;
      case 'AWS::SecretsManager::Secret':
        return placeholderSecretArn(name);
      case 'AWS::KMS::Key':
        return `arn:${PARTITION}:kms:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:key/${id}`;
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${PLACEHOLDER_ACCOUNT}:role/${id}`;
      case 'AWS::Lambda::Function':
        return `arn:${PARTITION}:lambda:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:function:${id}`;
      case 'AWS::SNS::Topic':
        return `arn:${PARTITION}:sns:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${id}`;
      default: {
        const service = Type.split('::')[1]?.toLowerCase() ?? 'unknown';
        return `arn:${PARTITION}:${service}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${id}`;
      }
    }
  }

  private ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': PLACEHOLDER_REGION,
      'AWS::AccountId': PLACEHOLDER_ACCOUNT,
      'AWS::Partition': PARTITION,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'CrmWebhooks',
    };
    if (pseudo[id] !== undefined) return pseudo[id];
    const { Type } = this.resource(id);
    const name = this.physicalName(id);
    // What CloudFormation's Ref returns for each type.
    if (Type === 'AWS::SQS::Queue')
      return `https://sqs.${PLACEHOLDER_REGION}.amazonaws.com/${PLACEHOLDER_ACCOUNT}/${name}`;
    if (Type === 'AWS::SecretsManager::Secret' || Type === 'AWS::SNS::Topic') return this.arn(id);
    return name;
  }

  private getAtt(id: string, attribute: string): string {
    const { Type } = this.resource(id);
    if (attribute === 'Arn') return this.arn(id);
    if (Type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') {
      return placeholderStreamArn(this.physicalName(id));
    }
    if (Type === 'AWS::SQS::Queue' && attribute === 'QueueName') return this.physicalName(id);
    if (Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(id);
    return `${id}.${attribute}`;
  }

  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== 'object' || value === null) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = value[key];
      switch (key) {
        case 'Ref':
          return this.ref(arg);
        case 'Fn::GetAtt':
          return this.getAtt(arg[0], arg[1]);
        case 'Fn::Join':
          return (this.resolve(arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select':
          return (this.resolve(arg[1]) as string[])[Number(this.resolve(arg[0]))];
        case 'Fn::Split':
          return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars = {}] = Array.isArray(arg) ? arg : [arg];
          return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (vars[name] !== undefined) return this.resolve(vars[name]);
            const [id, attribute] = name.split('.');
            return attribute ? this.getAtt(id!, attribute) : this.ref(id!);
          });
        }
        default:
          if (key.startsWith('Fn::')) throw new Error(`cannot resolve ${key} in ${JSON.stringify(value)}`);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }
}

/** What the functions ran with that changes the stack: the CRM config and the secret store mode. */
export interface DeploymentChoices {
  crmSourcesConfig?: string;
  secretStore?: string;
}

/** The template `cdk synth` writes for these choices (bundling skipped: only the code asset differs). */
function synthesizeTemplate({ crmSourcesConfig, secretStore }: DeploymentChoices): Json {
  const scratch = mkdtempSync(join(tmpdir(), 'crm-webhooks-iam-'));
  try {
    const context: Record<string, unknown> = {
      ...JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')).context,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:validateAgainstDefaultRules': false,
    };
    if (secretStore !== undefined) context.secretStore = secretStore;
    if (crmSourcesConfig !== undefined) {
      const path = join(scratch, 'crm-sources.json');
      writeFileSync(path, crmSourcesConfig);
      context.crmSourcesConfig = path;
    }
    const app = new App({ context, outdir: join(scratch, 'cdk.out') });
    const stack = createCrmWebhooksStack(app);
    return app.synth().getStackByName(stack.stackName).template;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function synthesizeStack(choices: DeploymentChoices = {}): SynthesizedStack {
  const template = synthesizeTemplate(choices);
  const resources: Record<string, { Type: string; Properties?: Json }> = template.Resources;
  const resolver = new IntrinsicResolver(resources);
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  const functions = new Map<string, FunctionRole>();
  for (const [logicalId, fn] of ofType('AWS::Lambda::Function')) {
    const environment: Record<string, string> = resolver.resolve(fn.Properties?.Environment?.Variables ?? {});
    const service = environment.POWERTOOLS_SERVICE_NAME;
    const roleRef = fn.Properties?.Role?.['Fn::GetAtt']?.[0] as string | undefined;
    if (service === undefined || roleRef === undefined) continue;
    const role = resources[roleRef]!;
    const attached = ofType('AWS::IAM::Policy').filter(([, policy]) =>
      (policy.Properties.Roles as Json[]).some((r) => r.Ref === roleRef),
    );
    const policies = [
      ...((role.Properties?.Policies ?? []) as Json[]).map((p) => ({
        name: p.PolicyName as string,
        document: resolver.resolve(p.PolicyDocument) as PolicyDocument,
      })),
      ...attached.map(([id, policy]) => ({
        name: id,
        document: resolver.resolve(policy.Properties.PolicyDocument) as PolicyDocument,
      })),
    ];
    const eventSources = ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, mapping]) => mapping.Properties?.FunctionName?.Ref === logicalId)
      .map(([, mapping]) => {
        const onFailure = mapping.Properties?.DestinationConfig?.OnFailure?.Destination;
        return {
          sourceArn: resolver.resolve(mapping.Properties.EventSourceArn) as string,
          ...(onFailure === undefined ? {} : { onFailureArn: resolver.resolve(onFailure) as string }),
        };
      });
    functions.set(service, {
      logicalId,
      eventSources,
      roleArn: resolver.resolve({ 'Fn::GetAtt': [roleRef, 'Arn'] }),
      policies,
      managedPolicyArns: resolver.resolve(role.Properties?.ManagedPolicyArns ?? []),
      environment,
    });
  }

  const tablesByName = new Map<string, string>();
  for (const [id, table] of ofType('AWS::DynamoDB::Table')) {
    const name = table.Properties?.TableName;
    if (typeof name === 'string') tablesByName.set(name, id);
  }
  return {
    functions,
    tableArnByName: (name) =>
      tablesByName.has(name)
        ? resolver.resolve({ 'Fn::GetAtt': [tablesByName.get(name), 'Arn'] })
        : undefined,
    streamArnByTableName: (name) =>
      tablesByName.has(name)
        ? resolver.resolve({ 'Fn::GetAtt': [tablesByName.get(name), 'StreamArn'] })
        : undefined,
  };
}
