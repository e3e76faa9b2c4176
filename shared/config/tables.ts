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

/**
 * The delivery log holds two kinds of items per webhook partition: attempts, sort key
 * `<ISO time>#<deliveryId>#<attempt>` (a descending Query lists them newest first), and the webhook's
 * dead-letter index, sort key `dead-letter#<deliveryId>`. ISO times start with a digit, which sorts
 * before any letter, so the attempt listing reads keys below `ATTEMPT_KEYS_END` and never meets a
 * dead letter.
 */
export const DEAD_LETTER_KEY_PREFIX = 'dead-letter#';
export const ATTEMPT_KEYS_END = 'a';

export const DELIVERY_LOG_TABLE_KEYS = {
  partitionKey: 'webhookId',
  sortKey: 'attemptKey',
  /** Epoch seconds after which DynamoDB TTL removes the entry. */
  ttlAttribute: 'expiresAt',
} as const;
