/** Lambda entry point of the deploy-time check of imported CRM tables' streams. */

import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbClient } from '../../shared/adapters/aws/clients';
import { sendCustomResourceResponse } from '../../shared/adapters/cloudformation/customResourceResponse';
import { describeTableStream } from '../../shared/adapters/dynamodb/describeTableStream';
import { SERVICE_NAMES } from '../../shared/observability/metricCatalog';
import { buildCrmStreamCheckHandler } from './buildCrmStreamCheckHandler';

const dynamoDb = createDynamoDbClient();

/** Lambda entry point of the custom resource that checks imported CRM tables' streams during `cdk deploy`. */
export const handler = buildCrmStreamCheckHandler({
  describeTableStream: (tableName) => describeTableStream(dynamoDb, tableName),
  sendResponse: sendCustomResourceResponse,
  logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAMES.crmStreamCheck }),
});
