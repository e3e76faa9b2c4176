/**
 * Key layout of the product's own tables, shared by the CDK stack and the local runtime so both
 * create identical tables. All keys are strings.
 */
export const WEBHOOKS_TABLE_KEYS = {
  /** One partition per workspace: listing a workspace's webhooks is a single Query. */
  partitionKey: 'workspaceId',
  sortKey: 'id',
} as const;

export const API_KEYS_TABLE_KEYS = {
  /** SHA-256 (hex) of the API key; the key itself is never stored. */
  partitionKey: 'keyHash',
} as const;

export const DELIVERY_LOG_TABLE_KEYS = {
  partitionKey: 'webhookId',
  /** `<ISO time>#<deliveryId>#<attempt>`: a descending Query lists attempts newest first. */
  sortKey: 'attemptKey',
  /** Epoch seconds after which DynamoDB TTL removes the entry. */
  ttlAttribute: 'expiresAt',
} as const;
