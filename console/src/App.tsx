/** The web console's shell: sign-in, the views (list, create, edit, detail) and notices. */

import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { type ApiCapabilities, ApiClient, loadCapabilities } from './apiClient';
import { Notice, type NoticeMessage } from './components/Notice';
import { SignIn } from './SignIn';
import { forgetApiKey, storeApiKey, storedApiKey } from './session';
import type { SubscribableEvents } from './types';
import { WebhookDetail } from './WebhookDetail';
import { WebhookForm } from './WebhookForm';
import { WebhookList } from './WebhookList';

export type View =
  | { name: 'list' }
  | { name: 'create' }
  | { name: 'edit'; id: string }
  | { name: 'detail'; id: string };

export interface ConsoleContext {
  api: ApiClient;
  capabilities: ApiCapabilities;
  events: SubscribableEvents | undefined;
  navigate(view: View): void;
  notify(message: NoticeMessage): void;
}

const NO_CAPABILITIES: ApiCapabilities = { resend: false, createFields: new Set() };

export function App() {
  const [apiKey, setApiKey] = useState<string | undefined>(storedApiKey);
  const [signedOutReason, setSignedOutReason] = useState<string>();

  const signOut = useCallback((reason?: string) => {
    forgetApiKey();
    setApiKey(undefined);
    setSignedOutReason(reason);
  }, []);

  if (apiKey === undefined) {
    return (
      <SignIn
        reason={signedOutReason}
        onSignedIn={(key) => {
          storeApiKey(key);
          setSignedOutReason(undefined);
          setApiKey(key);
        }}
      />
    );
  }
  return <SignedIn apiKey={apiKey} onSignOut={signOut} />;
}

function SignedIn({ apiKey, onSignOut }: { apiKey: string; onSignOut: (reason?: string) => void }) {
  const api = useMemo(
    () =>
      new ApiClient(apiKey, () => onSignOut('The API key was rejected (unknown or revoked). Sign in again.')),
    [apiKey, onSignOut],
  );
  const [view, setView] = useState<View>({ name: 'list' });
  const [notice, setNotice] = useState<NoticeMessage>();
  const [capabilities, setCapabilities] = useState<ApiCapabilities>(NO_CAPABILITIES);
  const [events, setEvents] = useState<SubscribableEvents>();

  useEffect(() => {
    loadCapabilities().then(setCapabilities, () => setCapabilities(NO_CAPABILITIES));
    api.request<SubscribableEvents>('GET', '/objects').then(setEvents, () => setEvents(undefined));
  }, [api]);

  const context: ConsoleContext = {
    api,
    capabilities,
    events,
    navigate: (next) => {
      setNotice(undefined);
      setView(next);
    },
    notify: setNotice,
  };

  return (
    <>
      <header class="topbar">
        <span class="brand">CRM webhooks</span>
        <nav aria-label="Console">
          <button type="button" class="link" onClick={() => context.navigate({ name: 'list' })}>
            Webhooks
          </button>
          <button type="button" class="secondary" onClick={() => onSignOut()}>
            Sign out
          </button>
        </nav>
      </header>
      <main id="main">
        <Notice message={notice} onDismiss={() => setNotice(undefined)} />
        {view.name === 'list' && <WebhookList context={context} />}
        {view.name === 'create' && <WebhookForm context={context} />}
        {view.name === 'edit' && <WebhookForm context={context} webhookId={view.id} />}
        {view.name === 'detail' && <WebhookDetail context={context} webhookId={view.id} />}
      </main>
    </>
  );
}
