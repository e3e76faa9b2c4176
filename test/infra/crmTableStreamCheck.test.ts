import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  buildTestStack,
  type CfnProperties,
  referencedId,
  resourceOf,
  statementsOfFunction,
  streamArnFor,
  type TestStack,
} from './helpers/stackFactories';

const personStream = streamArnFor('prod-person');
const crmStream = streamArnFor('prod-crm');

describe('deploy-time check of imported CRM tables', () => {
  let built: TestStack;
  beforeAll(() => {
    built = buildTestStack({
      crmSources: {
        crmTables: [
          { tableName: 'prod-person', object: 'person', streamArn: personStream },
          { tableName: 'prod-crm', objectAttribute: 'entityType', streamArn: crmStream },
          { tableName: 'demo-note', object: 'note' },
        ],
      },
    });
  });

  it('checks exactly the imported tables, with their configured stream ARNs', () => {
    const check = resourceOf(built.template, 'Custom::CrmTableStreamCheck', 'StreamCheck');
    expect(check.Properties.Tables).toEqual([
      { TableName: 'prod-person', StreamArn: personStream },
      { TableName: 'prod-crm', StreamArn: crmStream },
    ]);
    // A Lambda-backed custom resource, answered by the check function; a hung answer fails in minutes.
    const fn = resourceOf(built.template, 'AWS::Lambda::Function', 'StreamCheck');
    expect(referencedId(check.Properties.ServiceToken)).toBe(fn.id);
    expect(check.Properties.ServiceTimeout).toBe('300');
  });

  it('bundles the check function like the others: Node 22, arm64, its own log group', () => {
    const fn = resourceOf(built.template, 'AWS::Lambda::Function', 'StreamCheck');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
    expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
  });

  it('lets the check function only describe the imported tables (least privilege)', () => {
    const statements = statementsOfFunction(built.template, 'StreamCheck');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'dynamodb:DescribeTable',
        Resource: expect.arrayContaining([
          'arn:aws:dynamodb:eu-west-1:123456789012:table/prod-person',
          'arn:aws:dynamodb:eu-west-1:123456789012:table/prod-crm',
        ]),
      }),
    ]);
    expect(dynamo[0]?.Resource).toHaveLength(2);
    const others = statements.flatMap(actionsOf).filter((a) => !a.startsWith('dynamodb:'));
    expect(others.every((a) => a.startsWith('logs:'))).toBe(true);
  });

  it('creates the event source mappings only after the check passed', () => {
    const check = resourceOf(built.template, 'Custom::CrmTableStreamCheck', 'StreamCheck');
    const mapperFunction = resourceOf(built.template, 'AWS::Lambda::Function', 'EventMapperFunction');
    const mappings = Object.values(built.template.toJSON().Resources as Record<string, CfnProperties>).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName.Ref === mapperFunction.id,
    );
    expect(mappings).toHaveLength(3);
    for (const mapping of mappings) expect(mapping.DependsOn ?? []).toContain(check.id);
  });

  it('adds no check when every CRM table is created by the stack', () => {
    const demo = buildTestStack();
    expect(Object.keys(demo.template.findResources('Custom::CrmTableStreamCheck'))).toEqual([]);
    expect(
      Object.keys(demo.template.findResources('AWS::Lambda::Function')).filter((id) =>
        id.includes('StreamCheck'),
      ),
    ).toEqual([]);
  });
});
