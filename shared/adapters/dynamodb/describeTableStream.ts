/** Reads a table's stream settings (DescribeTable). */

import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { DescribedTableStream } from '../../domain/crmTables/streamSettingsProblems';

/**
 * A table's stream settings from DescribeTable. A table without a stream has no StreamSpecification;
 * a disabled one reports StreamEnabled false.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
 */
export async function describeTableStream(
  client: DynamoDBClient,
  tableName: string,
): Promise<DescribedTableStream> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const spec = Table?.StreamSpecification;
    return {
      found: true,
      streamEnabled: spec?.StreamEnabled === true,
      ...(spec?.StreamViewType === undefined ? {} : { streamViewType: spec.StreamViewType }),
      ...(Table?.LatestStreamArn === undefined ? {} : { latestStreamArn: Table.LatestStreamArn }),
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return { found: false };
    throw error;
  }
}
