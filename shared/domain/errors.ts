/**
 * The errors a user's request can meet, whichever layer finds them: the API maps each to a
 * problem+json answer (functions/subscriptions-api/problemErrorHandler.ts). Each sets `name`, which
 * logs and stack traces show.
 */

/** The webhook changed (or vanished) between read and write: the caller re-reads or answers 409/404. */
export class WebhookConflictError extends Error {
  constructor(webhookId: string) {
    super(`webhook ${webhookId} was changed or deleted concurrently`);
    this.name = 'WebhookConflictError';
  }
}

/** A pagination cursor a client sent that we did not issue (or that was altered). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not valid: pass back the nextCursor value of a previous page unchanged');
    this.name = 'InvalidCursorError';
  }
}

/** The webhook does not exist in the caller's workspace (another workspace's id looks the same: 404). */
export class WebhookNotFoundError extends Error {
  constructor(readonly webhookId: string) {
    super(`webhook ${webhookId} was not found`);
    this.name = 'WebhookNotFoundError';
  }
}

/** The workspace already holds as many webhooks as it may (MAX_WEBHOOKS_PER_WORKSPACE). */
export class WorkspaceWebhookLimitError extends Error {
  constructor(readonly limit: number) {
    super(
      `this workspace already has ${limit} webhooks, the most it may hold: delete one first (the limit is the stack's maxWebhooksPerWorkspace setting)`,
    );
    this.name = 'WorkspaceWebhookLimitError';
  }
}

/** The action makes no sense for a disabled webhook (its jobs would be skipped, i.e. lost). */
export class WebhookDisabledError extends Error {
  constructor(
    readonly webhookId: string,
    action: string,
  ) {
    super(`webhook ${webhookId} is disabled: enable it (PATCH {"status":"active"}) before you ${action}`);
    this.name = 'WebhookDisabledError';
  }
}

/** No payload is retained for this delivery: it was never dead-lettered, or its entry expired. */
export class DeliveryNotRetainedError extends Error {
  constructor(readonly deliveryId: string) {
    super(
      `no retained payload for delivery ${deliveryId}: only dead-lettered deliveries keep theirs (14 days); a delivered or still-retrying one cannot be resent`,
    );
    this.name = 'DeliveryNotRetainedError';
  }
}

/**
 * The deliveries queue did not take a job the API enqueues (test event, resend), even after the job
 * sender's retries: nothing was sent. `code` is SQS's (or the SDK's) error name; `senderFault` is
 * SQS's verdict that the request itself was wrong.
 */
export class JobNotEnqueuedError extends Error {
  constructor(
    readonly code: string,
    readonly senderFault: boolean,
  ) {
    super(`the deliveries queue did not accept the job (${code})`);
    this.name = 'JobNotEnqueuedError';
  }
}
