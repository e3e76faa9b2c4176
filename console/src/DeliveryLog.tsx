/** A webhook's delivery log, a page at a time. */

import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ConsoleContext } from './App';
import { ScrollRegion } from './components/ScrollRegion';
import { OutcomeBadge } from './components/StatusBadge';
import { firstBytes, formatDuration, formatTime } from './format';
import type { DeliveryAttempt, Page } from './types';

const PAGE_SIZE = 20;

/**
 * The webhook's attempt log, newest first, a page at a time (Older / Newer walk the API's cursors).
 * `refreshToken` changes when something was just sent, to reload the first page without a page reload.
 */
export function DeliveryLog({
  context,
  webhookId,
  refreshToken,
  canRedrive,
}: {
  context: ConsoleContext;
  webhookId: string;
  refreshToken: number;
  canRedrive: boolean;
}) {
  const { api, capabilities, notify } = context;
  // cursors[i] is the cursor of page i (undefined for the newest page).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page<DeliveryAttempt>>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const pageIndex = cursors.length - 1;

  const load = useCallback(
    async (cursor: string | undefined) => {
      setLoading(true);
      try {
        const query = `limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        setPage(
          await api.request<Page<DeliveryAttempt>>('GET', `/webhooks/${webhookId}/deliveries?${query}`),
        );
        setError(undefined);
      } catch (failure) {
        setError((failure as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [api, webhookId],
  );

  useEffect(() => {
    setCursors([undefined]);
    void load(undefined);
  }, [load, refreshToken]);

  const go = (next: (string | undefined)[]) => {
    setCursors(next);
    void load(next[next.length - 1]);
  };

  const redrive = async () => {
    try {
      const { redriven } = await api.request<{ redriven: number }>('POST', `/webhooks/${webhookId}/redrive`);
      notify({
        kind: 'success',
        text: `${redriven} dead-lettered deliver${redriven === 1 ? 'y' : 'ies'} sent again.`,
      });
      go([undefined]);
    } catch (failure) {
      notify({ kind: 'error', text: `Redrive failed: ${(failure as Error).message}` });
    }
  };

  const resend = async (attempt: DeliveryAttempt) => {
    try {
      await api.request(
        'POST',
        `/webhooks/${webhookId}/deliveries/${encodeURIComponent(attempt.deliveryId)}/resend`,
      );
      notify({ kind: 'success', text: `Delivery of ${attempt.event} queued again.` });
      go([undefined]);
    } catch (failure) {
      notify({ kind: 'error', text: `Resend failed: ${(failure as Error).message}` });
    }
  };

  const attempts = page?.data ?? [];
  const deadLettered = attempts.some((attempt) => attempt.outcome === 'dead-lettered');

  return (
    <section aria-labelledby="log-title" class="log">
      <div class="title-row">
        <h2 id="log-title">Delivery log</h2>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => go([...cursors])} disabled={loading}>
            Refresh log
          </button>
          {deadLettered && canRedrive && (
            <button type="button" class="danger" onClick={redrive}>
              Redrive all
            </button>
          )}
        </div>
      </div>
      {error && (
        <p class="notice error" role="alert">
          Could not load the delivery log: {error}
        </p>
      )}
      {page && attempts.length === 0 && pageIndex === 0 && (
        <p>No deliveries yet. Send a test event to try the endpoint.</p>
      )}
      {attempts.length > 0 && (
        <ScrollRegion label="Delivery log">
          <table class="deliveries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Outcome</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Response</th>
                {capabilities.resend && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {attempts.map((attempt) => (
                <tr
                  key={`${attempt.deliveryId}-${attempt.attempt}-${attempt.attemptedAt}`}
                  class={attempt.outcome === 'dead-lettered' ? 'dead' : undefined}
                >
                  <td>{formatTime(attempt.attemptedAt)}</td>
                  <td class="mono">{attempt.event}</td>
                  <td>{attempt.attempt}</td>
                  <td>
                    <OutcomeBadge outcome={attempt.outcome} />
                    {attempt.cause && <span class="sub">{attempt.cause}</span>}
                  </td>
                  <td>{attempt.statusCode ?? '—'}</td>
                  <td>{formatDuration(attempt.durationMs)}</td>
                  <td class="mono response" title={attempt.responseBody ?? attempt.error ?? ''}>
                    {firstBytes(attempt.responseBody ?? attempt.error)}
                  </td>
                  {capabilities.resend && (
                    <td>
                      {attempt.outcome !== 'delivered' && (
                        <button
                          type="button"
                          class="secondary small"
                          onClick={() => resend(attempt)}
                          aria-label={`Resend ${attempt.event} delivery ${attempt.deliveryId}`}
                        >
                          Resend
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <div class="actions pager">
        <button
          type="button"
          class="secondary"
          disabled={pageIndex === 0 || loading}
          onClick={() => go(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <span class="sub">Page {pageIndex + 1}</span>
        <button
          type="button"
          class="secondary"
          disabled={!page?.nextCursor || loading}
          onClick={() => go([...cursors, page?.nextCursor ?? undefined])}
        >
          Older
        </button>
      </div>
    </section>
  );
}
