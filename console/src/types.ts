/** Shapes of the management API's answers (docs/openapi.json), as far as the console reads them. */

export interface Webhook {
  id: string;
  targetUrl: string;
  operations: string[];
  description?: string;
  payloadFormat: 'default' | 'twenty';
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
  previousSecretExpiresAt?: string;
  failingSince?: string;
  disabledReason?: string;
  // Fields other parts of the API may add; the form edits them when the API documents them.
  headers?: Record<string, string>;
  rateLimit?: number;
  maxConcurrentDeliveries?: number;
  filter?: unknown;
}

export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

// The attempt log's entries are the domain type itself (the console may import types from shared/domain).
export type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';

// What `GET /objects` answers is the domain type too.
export type { SubscribableEvents } from '../../shared/domain/operations/subscribableEvents';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
}
