/** The workspace's webhooks, with each one's last delivery. */

import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ConsoleContext } from './App';
import { Heading } from './components/Heading';
import { OutcomeBadge, StatusBadge } from './components/StatusBadge';
import { formatTime } from './format';
import type { DeliveryAttempt, Page, Webhook } from './types';

const PAGE_SIZE = 20;

interface Row {
  webhook: Webhook;
  /** undefined while loading, null when nothing was ever attempted. */
  lastDelivery: DeliveryAttempt | null | undefined;
}

export function WebhookList({ context }: { context: ConsoleContext }) {
  const { api, navigate } = context;
  const [rows, setRows] = useState<Row[]>();
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const query = `limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await api.request<Page<Webhook>>('GET', `/webhooks?${query}`);
        const fresh = page.data.map((webhook) => ({ webhook, lastDelivery: undefined }) as Row);
        setRows((current) => (cursor ? [...(current ?? []), ...fresh] : fresh));
        setNextCursor(page.nextCursor);
        // The last outcome of each webhook: the newest entry of its delivery log.
        for (const { webhook } of fresh) {
          api.request<Page<DeliveryAttempt>>('GET', `/webhooks/${webhook.id}/deliveries?limit=1`).then(
            (log) =>
              setRows((current) =>
                current?.map((row) =>
                  row.webhook.id === webhook.id ? { ...row, lastDelivery: log.data[0] ?? null } : row,
                ),
              ),
            () =>
              setRows((current) =>
                current?.map((row) => (row.webhook.id === webhook.id ? { ...row, lastDelivery: null } : row)),
              ),
          );
        }
      } catch (failure) {
        setError((failure as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="list-title">
      <div class="title-row">
        <Heading>Webhooks</Heading>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => load()} disabled={loading}>
            Refresh
          </button>
          <button type="button" class="primary" onClick={() => navigate({ name: 'create' })}>
            Create webhook
          </button>
        </div>
      </div>
      {error && (
        <p class="notice error" role="alert">
          Could not load the webhooks: {error}
        </p>
      )}
      {rows === undefined && !error && <p aria-live="polite">Loading…</p>}
      {rows?.length === 0 && (
        <div class="empty">
          <h2>No webhooks yet</h2>
          <p>A webhook sends a signed HTTP POST to your URL whenever a CRM record changes.</p>
          <button type="button" class="primary" onClick={() => navigate({ name: 'create' })}>
            Create webhook
          </button>
        </div>
      )}
      {rows !== undefined && rows.length > 0 && (
        <table class="webhooks stack">
          <caption class="visually-hidden">Webhooks of this workspace</caption>
          <thead>
            <tr>
              <th scope="col">Target URL</th>
              <th scope="col">Operations</th>
              <th scope="col">Format</th>
              <th scope="col">Status</th>
              <th scope="col">Last delivery</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ webhook, lastDelivery }) => (
              <tr key={webhook.id}>
                <td data-label="Target URL">
                  <button
                    type="button"
                    class="link url"
                    onClick={() => navigate({ name: 'detail', id: webhook.id })}
                    aria-label={`Open webhook ${webhook.targetUrl}`}
                  >
                    {webhook.targetUrl}
                  </button>
                  {webhook.description && <span class="sub">{webhook.description}</span>}
                </td>
                <td data-label="Operations">
                  <span class="mono">{webhook.operations.join(', ')}</span>
                </td>
                <td data-label="Format">{webhook.payloadFormat}</td>
                <td data-label="Status">
                  <StatusBadge webhook={webhook} />
                </td>
                <td data-label="Last delivery">
                  {lastDelivery === undefined ? (
                    '…'
                  ) : lastDelivery === null ? (
                    <span class="sub">none yet</span>
                  ) : (
                    <span>
                      <OutcomeBadge outcome={lastDelivery.outcome} />
                      <span class="sub">{formatTime(lastDelivery.attemptedAt)}</span>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button type="button" class="secondary" onClick={() => load(nextCursor)} disabled={loading}>
          Load more webhooks
        </button>
      )}
    </section>
  );
}
