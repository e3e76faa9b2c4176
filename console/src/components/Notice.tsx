/** Success and error messages, announced by screen readers. */

export interface NoticeMessage {
  kind: 'success' | 'error';
  text: string;
}

/** Success and error messages, announced by screen readers (status / alert live regions). */
export function Notice({
  message,
  onDismiss,
}: {
  message: NoticeMessage | undefined;
  onDismiss: () => void;
}) {
  return (
    <div role={message?.kind === 'error' ? 'alert' : 'status'} class="notice-region">
      {message && (
        <p class={`notice ${message.kind}`}>
          <span>{message.text}</span>
          <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss message">
            ×
          </button>
        </p>
      )}
    </div>
  );
}
