/** Finds the configured CRM table a DynamoDB stream record comes from. */

import type { CrmSourcesConfig, CrmTableConfig } from '../../config/crmSourcesConfig';

/** Table name of a DynamoDB stream ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`). */
export function tableNameFromStreamArn(eventSourceARN: string): string | undefined {
  const start = eventSourceARN.indexOf(':table/');
  if (start < 0) return undefined;
  const rest = eventSourceARN.slice(start + ':table/'.length);
  const end = rest.indexOf('/stream/');
  const name = end < 0 ? rest : rest.slice(0, end);
  return name === '' ? undefined : name;
}

/** The configured CRM table a stream record comes from, or undefined when the table is not configured. */
export function findTableForSource(
  eventSourceARN: string,
  config: CrmSourcesConfig,
): CrmTableConfig | undefined {
  const tableName = tableNameFromStreamArn(eventSourceARN);
  if (tableName === undefined) return undefined;
  return config.crmTables.find((table) => table.tableName === tableName);
}
