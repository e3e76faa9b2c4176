/** The CRM tables whose streams feed the event mapper: created here (demo) or imported by stream ARN. */

import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { CrmSourcesConfig, CrmTableConfig } from '../../../shared/config/crmSourcesConfig';

export interface CrmSourceTablesProps {
  config: CrmSourcesConfig;
  removalPolicy: RemovalPolicy;
}

export interface CrmSourceTable {
  config: CrmTableConfig;
  table: ITable;
  /** True when this stack created the table (demo); false when it was imported by its stream ARN. */
  created: boolean;
}

/**
 * The CRM tables whose streams feed the event mapper. A table configured with a `streamArn` already
 * exists and is only referenced; any other is created here under exactly its configured name (the event
 * mapper finds a record's config entry by the table name in the stream ARN).
 */
export class CrmSourceTables extends Construct {
  readonly tables: CrmSourceTable[];

  constructor(scope: Construct, id: string, props: CrmSourceTablesProps) {
    super(scope, id);
    this.tables = props.config.crmTables.map((tableConfig) => {
      const constructId = `Crm-${tableConfig.tableName}`;
      if (tableConfig.streamArn !== undefined) {
        const table = Table.fromTableAttributes(this, constructId, {
          tableName: tableConfig.tableName,
          tableStreamArn: tableConfig.streamArn,
        });
        return { config: tableConfig, table, created: false };
      }
      const table = new Table(this, constructId, {
        tableName: tableConfig.tableName,
        partitionKey: { name: props.config.idAttribute, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        stream: StreamViewType.NEW_AND_OLD_IMAGES,
        removalPolicy: props.removalPolicy,
      });
      return { config: tableConfig, table, created: true };
    });
  }
}
