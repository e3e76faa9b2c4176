/** The dialog that shows a new signing secret once. */

import { useState } from 'preact/hooks';
import { Dialog } from './Dialog';

/**
 * A signing secret, exactly as the API returned it, shown once: it is not kept anywhere after the
 * dialog closes, and the API never returns it again.
 */
export function SecretDialog({
  title,
  secret,
  onClose,
}: {
  title: string;
  secret: string;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
      (document.getElementById('secret-value') as HTMLInputElement | null)?.select();
    }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <p class="warning" id="secret-warning">
        <strong>Copy this secret now.</strong> It is shown only once: after you close this dialog it cannot be
        displayed again (rotate the secret to get a new one).
      </p>
      <label for="secret-value">Signing secret</label>
      <div class="secret-row">
        <input
          id="secret-value"
          class="mono"
          readOnly
          value={secret}
          aria-describedby="secret-warning"
          spellcheck={false}
          autocomplete="off"
          onFocus={(event) => (event.currentTarget as HTMLInputElement).select()}
        />
        <button type="button" class="primary" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" class="hint">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Copying is not allowed here: the secret is selected, press Ctrl+C.'
            : ''}
      </p>
      <div class="actions">
        <button type="button" class="secondary" onClick={onClose}>
          I have stored the secret
        </button>
      </div>
    </Dialog>
  );
}
