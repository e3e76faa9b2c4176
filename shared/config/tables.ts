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
 * The delivery log holds two kinds of items per webhook partition (three with the delivery limiter's): attempts, sort key
 * `<ISO time>#<deliveryId>#<attempt>` (a descending Query lists them newest first), and the webhook's
 * dead-letter index, sort key `dead-letter#<deliveryId>`. ISO times start with a digit, which sorts
 * before any letter, so the attempt listing reads keys below `ATTEMPT_KEYS_END` and never meets a
 * dead letter.
 */
export const DEAD_LETTER_KEY_PREFIX = 'dead-letter#';
/**
 * The delivery limiter's two small items per limited webhook, in the same partition (letters, like the
 * dead-letter keys, so the attempt listing never meets them): the next free rate slot, and the
 * concurrency leases.
 */
export const RATE_LIMITER_KEY = 'limiter#rate';
export const CONCURRENCY_LEASES_KEY = 'limiter#leases';
export const ATTEMPT_KEYS_END = 'a';

export const DELIVERY_LOG_TABLE_KEYS = {
  partitionKey: 'webhookId',
  sortKey: 'attemptKey',
  /** Epoch seconds after which DynamoDB TTL removes the entry. */
  ttlAttribute: 'expiresAt',
} as const;
