/** A delivery attempt as the delivery log records it and the API lists it; adapters store it. */
export const ATTEMPT_OUTCOMES = ['delivered', 'failed', 'dead-lettered', 'gone', 'skipped'] as const;
export type DeliveryAttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One delivery attempt as `GET /webhooks/{id}/deliveries` shows it. */
export interface DeliveryAttempt {
  webhookId: string;
  deliveryId: string;
  eventId: string;
  event: string;
  /** 1-based attempt number, carried in the job (a retry is a new message). */
  attempt: number;
  outcome: DeliveryAttemptOutcome;
  /** Failure cause: `http-5xx`, `timeout`, `connection`, `blocked`… */
  cause?: string;
  statusCode?: number;
  durationMs: number;
  error?: string;
  /** First KB of the response body. */
  responseBody?: string;
  attemptedAt: string;
  /** When the next attempt is due, for retried failures. */
  nextAttemptAt?: string;
}
