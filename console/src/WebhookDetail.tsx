/**
 * A webhook's view: its settings, its actions (test event, secret rotation, redrive, delete) and its delivery
 * log.
 */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleContext } from './App';
import { ConfirmDialog } from './components/Dialog';
import { Heading } from './components/Heading';
import { SecretDialog } from './components/SecretDialog';
import { StatusBadge } from './components/StatusBadge';
import { DeliveryLog } from './DeliveryLog';
import { formatTime } from './format';
import type { Webhook } from './types';

type Pending = 'delete' | 'rotate' | undefined;

/** After a test event, the log reloads every second for a while so the delivery appears by itself. */
const FOLLOW_UP_REFRESHES = 15;

export function WebhookDetail({ context, webhookId }: { context: ConsoleContext; webhookId: string }) {
  const { api, navigate, notify } = context;
  const [webhook, setWebhook] = useState<Webhook>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState<Pending>();
  const [secret, setSecret] = useState<string>();
  const [logToken, setLogToken] = useState(0);
  const [busy, setBusy] = useState(false);
  const followUp = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  const load = useCallback(() => {
    api
      .request<Webhook>('GET', `/webhooks/${webhookId}`)
      .then(setWebhook, (failure: Error) => setError(failure.message));
  }, [api, webhookId]);
  useEffect(load, [load]);
  useEffect(() => () => clearInterval(followUp.current), []);

  const act = async (what: string, action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (failure) {
      notify({ kind: 'error', text: `${what} failed: ${(failure as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  const setStatus = (status: 'active' | 'disabled') =>
    act(status === 'active' ? 'Enabling' : 'Disabling', async () => {
      setWebhook(await api.request<Webhook>('PATCH', `/webhooks/${webhookId}`, { status }));
      notify({
        kind: 'success',
        text:
          status === 'active'
            ? 'Webhook enabled.'
            : 'Webhook disabled: no deliveries until it is enabled again.',
      });
    });

  const sendTest = () =>
    act('Sending a test event', async () => {
      await api.request('POST', `/webhooks/${webhookId}/test`);
      notify({ kind: 'success', text: 'Test event queued; it appears in the delivery log once attempted.' });
      clearInterval(followUp.current);
      let left = FOLLOW_UP_REFRESHES;
      setLogToken((token) => token + 1);
      followUp.current = setInterval(() => {
        setLogToken((token) => token + 1);
        if (--left <= 0) clearInterval(followUp.current);
      }, 1000);
    });

  const rotate = () =>
    act('Rotating the secret', async () => {
      setConfirming(undefined);
      const rotated = await api.request<{ secret: string; previousSecretExpiresAt: string }>(
        'POST',
        `/webhooks/${webhookId}/rotate-secret`,
      );
      setSecret(rotated.secret);
      notify({
        kind: 'success',
        text: `Secret rotated. The previous secret also signs until ${formatTime(rotated.previousSecretExpiresAt)}.`,
      });
      load();
    });

  const remove = () =>
    act('Deleting', async () => {
      setConfirming(undefined);
      await api.request('DELETE', `/webhooks/${webhookId}`);
      navigate({ name: 'list' });
      notify({ kind: 'success', text: 'Webhook deleted.' });
    });

  if (error) {
    return (
      <p class="notice error" role="alert">
        Could not load the webhook: {error}
      </p>
    );
  }
  if (!webhook) return <p aria-live="polite">Loading…</p>;

  return (
    <section>
      <Heading>
        Webhook <span class="url">{webhook.targetUrl}</span>
      </Heading>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge webhook={webhook} />
        </dd>
        <dt>Operations</dt>
        <dd class="mono">{webhook.operations.join(', ')}</dd>
        <dt>Payload format</dt>
        <dd>{webhook.payloadFormat}</dd>
        {webhook.description && (
          <>
            <dt>Description</dt>
            <dd>{webhook.description}</dd>
          </>
        )}
        {webhook.rateLimit !== undefined && (
          <>
            <dt>Rate limit</dt>
            <dd>{webhook.rateLimit} deliveries per second</dd>
          </>
        )}
        {webhook.maxConcurrentDeliveries !== undefined && (
          <>
            <dt>Concurrent deliveries</dt>
            <dd>at most {webhook.maxConcurrentDeliveries}</dd>
          </>
        )}
        <dt>Id</dt>
        <dd class="mono">{webhook.id}</dd>
        <dt>Created</dt>
        <dd>{formatTime(webhook.createdAt)}</dd>
        {webhook.previousSecretExpiresAt && (
          <>
            <dt>Previous secret valid until</dt>
            <dd>{formatTime(webhook.previousSecretExpiresAt)}</dd>
          </>
        )}
      </dl>
      <div class="actions wrap">
        <button type="button" class="secondary" onClick={() => navigate({ name: 'edit', id: webhookId })}>
          Edit
        </button>
        {webhook.status === 'active' ? (
          <button type="button" class="secondary" disabled={busy} onClick={() => setStatus('disabled')}>
            Disable
          </button>
        ) : (
          <button type="button" class="secondary" disabled={busy} onClick={() => setStatus('active')}>
            Enable
          </button>
        )}
        <button
          type="button"
          class="secondary"
          disabled={busy || webhook.status !== 'active'}
          onClick={sendTest}
        >
          Send test event
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => setConfirming('rotate')}>
          Rotate secret
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirming('delete')}>
          Delete
        </button>
      </div>
      <DeliveryLog
        context={context}
        webhookId={webhookId}
        refreshToken={logToken}
        canRedrive={webhook.status === 'active'}
      />
      {confirming === 'rotate' && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          message="A new secret is created and shown once. For 24 hours deliveries are signed with both the new and the previous secret, so receivers can switch over."
          confirmLabel="Rotate secret"
          onConfirm={rotate}
          onCancel={() => setConfirming(undefined)}
        />
      )}
      {confirming === 'delete' && (
        <ConfirmDialog
          title="Delete this webhook?"
          message={`${webhook.targetUrl} will receive no more deliveries and its signing secret is scheduled for deletion. This cannot be undone.`}
          confirmLabel="Delete webhook"
          danger
          onConfirm={remove}
          onCancel={() => setConfirming(undefined)}
        />
      )}
      {secret && (
        <SecretDialog title="New signing secret" secret={secret} onClose={() => setSecret(undefined)} />
      )}
    </section>
  );
}
