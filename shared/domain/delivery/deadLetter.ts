/**
 * A job that failed its last attempt, as the webhook's dead-letter index keeps it: enough to list it
 * and the exact job body to send it again (redrive, resend). The SQS dead-letter queue gets a copy
 * too (alarms, operators), but redrive reads this index, so its cost follows the webhook's own dead
 * letters, not the whole DLQ.
 */
export interface DeadLetter {
  webhookId: string;
  workspaceId: string;
  deliveryId: string;
  eventId: string;
  event: string;
  /** The attempt that failed last. */
  attempts: number;
  /** Failure cause of that attempt (`http-5xx`, `timeout`, `circuit-open`…). */
  cause: string;
  deadLetteredAt: string;
  /** The delivery job body as it was received for the last attempt. */
  jobBody: string;
}

/** Entries expire with the SQS dead-letter queue's retention (14 days, its maximum). */
export const DEAD_LETTER_RETENTION_DAYS = 14;
