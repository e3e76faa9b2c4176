/**
 * The deploy-time check of imported CRM tables: does the table's stream give the event mapper what it
 * needs? Pure: the custom resource handler describes the tables and reports what this finds.
 */

/** The view type the event mapper needs: updates compare the old and new images, deletes send the old one. */
const REQUIRED_STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES';

/** A CRM table the stack attaches to by its stream ARN (config `streamArn`). */
export interface ImportedCrmTable {
  tableName: string;
  streamArn: string;
}

/**
 * The stream fields of DynamoDB's DescribeTable answer (TableDescription: `StreamSpecification`,
 * `LatestStreamArn`): https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 * `found: false` when DescribeTable answered ResourceNotFoundException.
 */
export type DescribedTableStream =
  | { found: false }
  | { found: true; streamEnabled: boolean; streamViewType?: string; latestStreamArn?: string };

/**
 * Every reason the table's stream cannot feed the event mapper as configured, each a sentence naming the
 * table and how to fix it; empty when it can.
 */
export function streamSettingsProblems(table: ImportedCrmTable, described: DescribedTableStream): string[] {
  const name = `CRM table "${table.tableName}"`;
  if (!described.found) {
    return [`${name} does not exist in this account and region (DescribeTable: ResourceNotFoundException).`];
  }
  // A stream's view type cannot be changed while it is enabled: disable the stream, enable it again with
  // the new view type, and the table gets a new stream with a new ARN.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Enabling
  const enableHint = `enable it with StreamViewType=${REQUIRED_STREAM_VIEW_TYPE} (aws dynamodb update-table --table-name ${table.tableName} --stream-specification StreamEnabled=true,StreamViewType=${REQUIRED_STREAM_VIEW_TYPE}), then set the table's "streamArn" in the CRM sources config to its new LatestStreamArn`;
  if (!described.streamEnabled) {
    return [
      `${name} has no enabled stream: the event mapper would receive none of its changes; ${enableHint}.`,
    ];
  }
  const problems: string[] = [];
  if (described.streamViewType !== REQUIRED_STREAM_VIEW_TYPE) {
    problems.push(
      `${name} streams ${described.streamViewType ?? 'an unknown view type'}, not ${REQUIRED_STREAM_VIEW_TYPE}: updates and deletes would be skipped without their images; disable the stream and ${enableHint}.`,
    );
  }
  if (described.latestStreamArn !== table.streamArn) {
    problems.push(
      `${name}: the configured streamArn ${table.streamArn} is not the table's latest stream (${described.latestStreamArn ?? 'none'}); an older stream receives no new changes. Set "streamArn" to ${described.latestStreamArn ?? 'the LatestStreamArn'}.`,
    );
  }
  return problems;
}
