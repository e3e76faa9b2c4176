import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  buildSubscriptionsApiHandler,
  type SubscriptionsApiDependencies,
} from '../../../functions/subscriptions-api/buildSubscriptionsApiHandler';
import type { SubscriptionsApiConfig } from '../../../functions/subscriptions-api/config';
import { logger, metrics } from '../../../functions/subscriptions-api/observability';
import {
  type SecretsManagerLocal,
  startSecretsManagerLocal,
} from '../../../infra/local/emulators/secretsManagerLocal';
import { type DeliveryQueues, type SqsLocal, startSqsLocal } from '../../../infra/local/emulators/sqsLocal';
import { createProductTables, deleteTables, type ProductTableNames } from '../../../infra/local/tables';
import { ApiKeyStore } from '../../../shared/adapters/dynamodb/apiKeyStore';
import { DeadLetterIndex } from '../../../shared/adapters/dynamodb/deadLetterIndex';
import { DeliveryLogStore } from '../../../shared/adapters/dynamodb/deliveryLogStore';
import { WebhookStore } from '../../../shared/adapters/dynamodb/webhookStore';
import {
  createSigningSecretStore,
  createSigningSecretsReader,
} from '../../../shared/adapters/secrets/createSigningSecrets';
import { DEFAULT_SECRET_CACHE_BYTES } from '../../../shared/adapters/secrets/secretValueCache';
import { DeliveryJobSender } from '../../../shared/adapters/sqs/deliveryJobSender';
import { type CrmSourcesConfig, defaultCrmSourcesConfig } from '../../../shared/config/crmSourcesConfig';
import { producibleObjects } from '../../../shared/domain/operations/producibleObjects';
import { subscribableEvents } from '../../../shared/domain/operations/subscribableEvents';
import type {
  SecretStoreMode,
  SigningSecretsReader,
} from '../../../shared/domain/webhooks/signingSecretStore';
import {
  type ApiRequestOptions,
  type ApiResponse,
  apiGatewayEvent,
  apiResponse,
  lambdaContext,
} from '../../helpers/apiGatewayEvents';
import { dynamoDbEndpoint, uniqueTableName } from '../../helpers/emulators';
import { recordCallsAs, routeOf } from '../../iam/sdkCallRecorder';

export interface ApiHarness {
  call(options: ApiRequestOptions): Promise<ApiResponse>;
  /** Calls with workspace A's key unless another key is given. */
  as(apiKey: string): (options: Omit<ApiRequestOptions, 'apiKey'>) => Promise<ApiResponse>;
  keyA: string;
  keyB: string;
  config: SubscriptionsApiConfig;
  /** What the handler was built with (the container's logger and metrics, emulator-backed adapters). */
  dependencies: SubscriptionsApiDependencies;
  tables: ProductTableNames;
  queues: DeliveryQueues;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  secretsClient: SecretsManagerClient;
  secretsLocal: SecretsManagerLocal;
  sqsLocal: SqsLocal;
  webhookStore: WebhookStore;
  deliveryLog: DeliveryLogStore;
  apiKeys: ApiKeyStore;
  /** The delivery function's reader of signing secrets for this harness's mode (to check what was stored). */
  signingSecretsReader(): SigningSecretsReader;
  stop(): Promise<void>;
}

export const WORKSPACE_A = 'ws-alpha';
/** The key secret's name in envelope mode. */
const SIGNING_KEY_SECRET_NAME = 'crm-webhooks/signing-key';
export const WORKSPACE_B = 'ws-beta';

/**
 * The real handler wired to DynamoDB Local (unique tables), the local Secrets Manager and fauxqs, with
 * one API key for each of two workspaces.
 */
export async function startApiHarness(
  options: {
    localMode?: boolean;
    maxBodyBytes?: number;
    redriveTimeBudgetMs?: number;
    maxWebhooksPerWorkspace?: number;
    /** Default: envelope (the product default), with the key secret created as the stack would. */
    secretStore?: SecretStoreMode;
    /** Optional settings (the console directory). */
    config?: Pick<SubscriptionsApiConfig, 'consoleAssetsDir'>;
    /** The CRM sources whose objects webhooks may subscribe to; the local default tables otherwise. */
    crmSources?: CrmSourcesConfig;
  } = {},
): Promise<ApiHarness> {
  const dynamo = new DynamoDBClient({ endpoint: dynamoDbEndpoint() });
  const tables: ProductTableNames = {
    webhooks: uniqueTableName('webhooks'),
    apiKeys: uniqueTableName('api-keys'),
    deliveryLog: uniqueTableName('delivery-log'),
  };
  await createProductTables(dynamo, tables);
  const secretsLocal = await startSecretsManagerLocal();
  const sqsLocal = await startSqsLocal();
  const queues = sqsLocal.createDeliveryQueues({ maxReceiveCount: 3, visibilityTimeoutSeconds: 30 });
  const sqs = new SQSClient({ endpoint: sqsLocal.endpoint, useQueueUrlAsEndpoint: false });
  const secretsClient = new SecretsManagerClient({ endpoint: secretsLocal.endpoint, maxAttempts: 1 });
  const secretStore = options.secretStore ?? 'envelope';
  if (secretStore === 'envelope') {
    await secretsClient.send(
      new CreateSecretCommand({
        Name: SIGNING_KEY_SECRET_NAME,
        SecretString: randomBytes(48).toString('base64url'),
      }),
    );
  }
  const config: SubscriptionsApiConfig = {
    webhooksTable: tables.webhooks,
    apiKeysTable: tables.apiKeys,
    deliveryLogTable: tables.deliveryLog,
    deliveriesQueueUrl: queues.deliveriesQueueUrl,
    redriveTimeBudgetMs: options.redriveTimeBudgetMs ?? 20_000,
    maxWebhooksPerWorkspace: options.maxWebhooksPerWorkspace ?? 100,
    secretNamePrefix: 'crm-webhooks',
    secretStore,
    ...(secretStore === 'envelope' ? { signingKeySecretId: SIGNING_KEY_SECRET_NAME } : {}),
    signingKeyRefreshMs: 0,
    localMode: options.localMode ?? false,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    subscribableEvents: subscribableEvents(options.crmSources ?? defaultCrmSourcesConfig),
    producibleObjects: producibleObjects(options.crmSources ?? defaultCrmSourcesConfig),
    ...options.config,
  };
  const webhookStore = new WebhookStore(dynamo, tables.webhooks);
  const deliveryLog = new DeliveryLogStore(dynamo, tables.deliveryLog);
  const apiKeys = new ApiKeyStore(dynamo, tables.apiKeys);
  const { key: keyA } = await apiKeys.create(WORKSPACE_A, { name: 'tests A' });
  const { key: keyB } = await apiKeys.create(WORKSPACE_B, { name: 'tests B' });
  // As createSubscriptionsApiDependencies builds them, on the emulators.
  const dependencies: SubscriptionsApiDependencies = {
    webhooks: webhookStore,
    apiKeys,
    deliveryLog,
    deadLetters: new DeadLetterIndex(dynamo, tables.deliveryLog),
    jobSender: new DeliveryJobSender(sqs, {
      queueUrl: config.deliveriesQueueUrl,
      maxMessageBytes: 1_048_576,
      concurrency: 4,
    }),
    secrets: createSigningSecretStore(secretsClient, config),
    logger,
    metrics,
    now: () => new Date(),
  };
  const handler = buildSubscriptionsApiHandler(config, dependencies);
  // The environment the CDK stack gives the function, by the names the IAM check maps to the template.
  const env = {
    WEBHOOKS_TABLE: tables.webhooks,
    API_KEYS_TABLE: tables.apiKeys,
    DELIVERY_LOG_TABLE: tables.deliveryLog,
    DELIVERIES_QUEUE_URL: queues.deliveriesQueueUrl,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    SECRET_STORE: secretStore,
    ...(secretStore === 'envelope' ? { SIGNING_KEY_SECRET_ID: SIGNING_KEY_SECRET_NAME } : {}),
  };
  const call = async (request: ApiRequestOptions) =>
    apiResponse(
      await recordCallsAs(
        {
          function: 'subscriptions-api',
          request: `${request.method} ${routeOf(request.path.split('?')[0] ?? '')}`,
          env,
        },
        () => handler(apiGatewayEvent(request), lambdaContext()),
      ),
    );
  return {
    call,
    as: (apiKey) => (request) => call({ ...request, apiKey }),
    keyA,
    keyB,
    config,
    dependencies,
    tables,
    queues,
    dynamo,
    sqs,
    secretsClient,
    secretsLocal,
    sqsLocal,
    webhookStore,
    deliveryLog,
    apiKeys,
    signingSecretsReader: () =>
      createSigningSecretsReader(
        secretsClient,
        { ...config, signingSecretCacheBytes: DEFAULT_SECRET_CACHE_BYTES },
        () => {},
      ),
    async stop() {
      await deleteTables(dynamo, Object.values(tables));
      await secretsLocal.stop();
      await sqsLocal.stop();
      dynamo.destroy();
      sqs.destroy();
      secretsClient.destroy();
    },
  };
}
