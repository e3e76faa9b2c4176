/** Classifies an attempt's result: delivered, gone (410) or failed and retried. */

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter?: string }
  | { kind: 'timeout' }
  | { kind: 'connection-error' }
  | { kind: 'blocked' };

export type AttemptOutcome = 'delivered' | 'gone' | 'retry';

/** `cause` values: `http-<status>`, `timeout`, `connection-error`, `blocked-address`. */
export interface ClassifiedAttempt {
  outcome: AttemptOutcome;
  cause: string;
}

/**
 * 2xx delivers; 410 Gone means the receiver retired the endpoint (the webhook gets disabled);
 * everything else, redirects included (they are never followed), is a failed attempt to retry.
 * A blocked address is retried too: DNS may point elsewhere later, and the attempt log shows why.
 */
export function classifyAttemptOutcome(result: AttemptResult): ClassifiedAttempt {
  switch (result.kind) {
    case 'response': {
      const cause = `http-${result.status}`;
      if (result.status >= 200 && result.status < 300) return { outcome: 'delivered', cause };
      if (result.status === 410) return { outcome: 'gone', cause };
      return { outcome: 'retry', cause };
    }
    case 'timeout':
      return { outcome: 'retry', cause: 'timeout' };
    case 'connection-error':
      return { outcome: 'retry', cause: 'connection-error' };
    case 'blocked':
      return { outcome: 'retry', cause: 'blocked-address' };
  }
}
