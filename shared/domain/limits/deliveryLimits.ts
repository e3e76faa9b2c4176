/**
 * A webhook's optional delivery limits, set through the API and stored on its row. Absent = no limit,
 * and then the delivery function makes no limiter call at all.
 */
export interface DeliveryLimits {
  /** Deliveries per second (attempts started), fractions allowed: 0.5 = one every 2 s. */
  rateLimit?: number;
  /** Requests to this webhook's endpoint in flight at once, across every delivery container. */
  maxConcurrentDeliveries?: number;
}

/**
 * `rateLimit` bounds. The limiter reserves a slot with one conditional write to one small DynamoDB
 * item per webhook (two when the limiter was idle), and every arriving job reserves one, so the item
 * takes about one write per job. DynamoDB serves at most 1,000 write units per second to one
 * partition key ("Best practices for designing and using partition keys effectively",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html):
 * 500/s keeps a burst of two writes per job within it. The floor (one delivery per 100 s) keeps
 * backlogs measured in hours, not months.
 */
export const RATE_LIMIT_MIN = 0.01;
export const RATE_LIMIT_MAX = 500;

/**
 * `maxConcurrentDeliveries` bounds. Each held lease is one attribute of the webhook's lease item; 100
 * of them (~1.2 KB) keep every lease write at two write units or less (an UpdateItem costs one unit
 * per KB of the larger of the item before and after:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption).
 */
export const MAX_CONCURRENT_DELIVERIES_MIN = 1;
export const MAX_CONCURRENT_DELIVERIES_MAX = 100;

/** True when the webhook sets neither limit: its deliveries skip the limiter entirely. */
export function isUnlimited(limits: DeliveryLimits): boolean {
  return limits.rateLimit === undefined && limits.maxConcurrentDeliveries === undefined;
}
