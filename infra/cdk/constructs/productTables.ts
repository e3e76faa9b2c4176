/** The product's own DynamoDB tables: webhooks, API keys and the delivery log. */

import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  API_KEYS_TABLE_KEYS,
  DELIVERY_LOG_TABLE_KEYS,
  WEBHOOKS_TABLE_KEYS,
} from '../../../shared/config/tables';
import { acknowledge } from './nagAcknowledgements';

export interface ProductTablesProps {
  removalPolicy: RemovalPolicy;
  /** Point-in-time recovery on the TTL'd delivery log (the other tables always have it). */
  deliveryLogPointInTimeRecovery: boolean;
}

const commonTableProps = {
  billingMode: BillingMode.PAY_PER_REQUEST,
  encryption: TableEncryption.AWS_MANAGED,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
} as const;

/** The product's own tables, with the key layout shared with the local runtime (`shared/config/tables`). */
export class ProductTables extends Construct {
  readonly webhooks: Table;
  readonly apiKeys: Table;
  readonly deliveryLog: Table;

  constructor(scope: Construct, id: string, props: ProductTablesProps) {
    super(scope, id);

    this.webhooks = new Table(this, 'WebhooksTable', {
      ...commonTableProps,
      partitionKey: { name: WEBHOOKS_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: WEBHOOKS_TABLE_KEYS.sortKey, type: AttributeType.STRING },
      removalPolicy: props.removalPolicy,
    });

    this.apiKeys = new Table(this, 'ApiKeysTable', {
      ...commonTableProps,
      partitionKey: { name: API_KEYS_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      removalPolicy: props.removalPolicy,
    });

    this.deliveryLog = new Table(this, 'DeliveryLogTable', {
      ...commonTableProps,
      partitionKey: { name: DELIVERY_LOG_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: DELIVERY_LOG_TABLE_KEYS.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: DELIVERY_LOG_TABLE_KEYS.ttlAttribute,
      removalPolicy: props.removalPolicy,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.deliveryLogPointInTimeRecovery },
    });
    if (!props.deliveryLogPointInTimeRecovery) {
      acknowledge(
        this.deliveryLog,
        'AwsSolutions-DDB3',
        'The delivery log is a TTL-expired record of attempts (30 days by default), not data to restore: losing it loses no webhook or delivery. Point-in-time recovery would add $0.20 per GB-month to its storage; enable it with -c deliveryLogPointInTimeRecovery=true.',
      );
    }
  }
}
