import { describe, expect, it } from 'vitest';
import { parseCrmSourcesConfig } from '../../../../../shared/config/crmSourcesConfig';
import {
  findTableForSource,
  tableNameFromStreamArn,
} from '../../../../../shared/domain/events/tableForStreamArn';
import { streamArn } from '../../../../helpers/streamRecordFactories';

const config = parseCrmSourcesConfig({
  crmTables: [
    { tableName: 'person', object: 'person' },
    { tableName: 'my.crm-table_1', objectAttribute: 'entityType' },
  ],
});

describe('findTableForSource', () => {
  it('finds the configured table named in the stream ARN', () => {
    expect(findTableForSource(streamArn('person'), config)).toEqual({
      tableName: 'person',
      object: 'person',
    });
    expect(findTableForSource(streamArn('my.crm-table_1', 'eu-west-3'), config)?.objectAttribute).toBe(
      'entityType',
    );
  });

  it('works with other partitions and DynamoDB Local ARNs', () => {
    expect(
      findTableForSource(
        'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/person/stream/2026-01-01T00:00:00.000',
        config,
      )?.tableName,
    ).toBe('person');
    expect(
      findTableForSource(
        'arn:aws:dynamodb:ddblocal:000000000000:table/person/stream/2026-11-27T13:00:00.000',
        config,
      )?.tableName,
    ).toBe('person');
  });

  it('answers undefined for unconfigured tables and malformed ARNs', () => {
    expect(findTableForSource(streamArn('company'), config)).toBeUndefined();
    expect(findTableForSource(streamArn('personal'), config)).toBeUndefined();
    expect(findTableForSource('arn:aws:sqs:us-east-1:123456789012:person', config)).toBeUndefined();
    expect(findTableForSource('', config)).toBeUndefined();
  });

  it('reads the table name of a table ARN without a stream part', () => {
    expect(tableNameFromStreamArn('arn:aws:dynamodb:us-east-1:123456789012:table/person')).toBe('person');
    expect(tableNameFromStreamArn('arn:aws:dynamodb:us-east-1:123456789012:table/')).toBeUndefined();
  });
});
