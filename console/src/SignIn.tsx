/** The sign-in view: paste an API key, checked before it is kept. */

import { useState } from 'preact/hooks';
import { ApiClient, ApiError } from './apiClient';
import { Heading } from './components/Heading';

/** Paste an API key; it is checked with one authenticated call before it is kept (in sessionStorage). */
export function SignIn({
  reason,
  onSignedIn,
}: {
  reason: string | undefined;
  onSignedIn: (key: string) => void;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') {
      setError('Paste an API key.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await new ApiClient(trimmed, () => {}).request('GET', '/webhooks?limit=1');
      onSignedIn(trimmed);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'This API key is unknown or revoked.'
          : `Could not reach the API: ${(failure as Error).message}`,
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" class="narrow">
      <Heading>Sign in to the webhooks console</Heading>
      {reason && (
        <p class="notice error" role="alert">
          {reason}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={key}
            onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'api-key-error api-key-hint' : 'api-key-hint'}
          />
          <p id="api-key-hint" class="hint">
            A workspace API key (<code>npm run api-key -- create</code>, or the key <code>npm start</code>{' '}
            prints). It is kept in this browser tab only and sent only to this API.
          </p>
          {error && (
            <p id="api-key-error" class="field-error">
              {error}
            </p>
          )}
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
