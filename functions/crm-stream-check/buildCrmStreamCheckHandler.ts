/**
 * The deploy-time custom resource's handler: checks that each imported CRM table's stream is on and shows
 * both images.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceResponse } from '../../shared/adapters/cloudformation/customResourceResponse';
import {
  type DescribedTableStream,
  type ImportedCrmTable,
  streamSettingsProblems,
} from '../../shared/domain/crmTables/streamSettingsProblems';

/** The custom resource's properties, as the CDK stack sets them. */
export interface CrmStreamCheckProperties {
  Tables?: { TableName?: string; StreamArn?: string }[];
}

export interface CrmStreamCheckDependencies {
  describeTableStream(tableName: string): Promise<DescribedTableStream>;
  sendResponse(responseUrl: string, response: CustomResourceResponse): Promise<void>;
  logger: Pick<Logger, 'info' | 'error'>;
}

/** One resource per stack: updates keep it, so CloudFormation never replaces (and deletes) it. */
export const PHYSICAL_RESOURCE_ID = 'crm-table-stream-check';

/**
 * A custom resource's whole response must stay under 4,096 bytes; the reason is cut well below that.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
const MAX_REASON_CHARS = 3000;

/**
 * The deploy-time check of imported CRM tables: on Create and Update, describes each table and fails
 * the deployment, naming every problem, when a stream cannot feed the event mapper. Delete does nothing
 * (nothing was created). Every request is answered, also when describing fails, so a deployment never
 * waits for CloudFormation's timeout.
 */
export function buildCrmStreamCheckHandler(deps: CrmStreamCheckDependencies) {
  return async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    const answer = (status: 'SUCCESS' | 'FAILED', reason?: string) =>
      deps.sendResponse(event.ResponseURL, {
        Status: status,
        ...(reason === undefined ? {} : { Reason: truncate(reason) }),
        PhysicalResourceId: PHYSICAL_RESOURCE_ID,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
      });

    if (event.RequestType === 'Delete') {
      await answer('SUCCESS');
      return;
    }
    let problems: string[];
    try {
      const tables = importedTables(event.ResourceProperties as CrmStreamCheckProperties);
      const described = await Promise.all(tables.map((t) => deps.describeTableStream(t.tableName)));
      problems = tables.flatMap((table, i) =>
        streamSettingsProblems(table, described[i] as DescribedTableStream),
      );
      deps.logger.info('checked the streams of imported CRM tables', {
        tables: tables.map((t) => t.tableName),
        problems,
      });
    } catch (error) {
      deps.logger.error('could not check the streams of imported CRM tables', { error });
      await answer('FAILED', `Could not check the imported CRM tables: ${errorText(error)}`);
      return;
    }
    if (problems.length === 0) await answer('SUCCESS');
    else await answer('FAILED', `CRM table stream check failed. ${problems.join(' ')}`);
  };
}

function importedTables(properties: CrmStreamCheckProperties): ImportedCrmTable[] {
  return (properties.Tables ?? []).map((t, i) => {
    if (!t.TableName || !t.StreamArn) throw new Error(`Tables[${i}] needs TableName and StreamArn`);
    return { tableName: t.TableName, streamArn: t.StreamArn };
  });
}

function truncate(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
