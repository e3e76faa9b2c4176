/** Badges for a webhook's status and a delivery attempt's outcome. */

import { DISABLED_REASONS, formatTime } from '../format';
import type { Webhook } from '../types';

export function StatusBadge({ webhook }: { webhook: Webhook }) {
  if (webhook.status === 'disabled') {
    const reason = webhook.disabledReason
      ? (DISABLED_REASONS[webhook.disabledReason] ?? webhook.disabledReason)
      : undefined;
    return (
      <span>
        <span class="badge off">Disabled</span>
        {reason && <span class="sub">{reason}</span>}
      </span>
    );
  }
  return (
    <span>
      <span class={`badge ${webhook.failingSince ? 'warn' : 'ok'}`}>
        {webhook.failingSince ? 'Failing' : 'Active'}
      </span>
      {webhook.failingSince && <span class="sub">since {formatTime(webhook.failingSince)}</span>}
    </span>
  );
}

const OUTCOME_CLASS: Record<string, string> = {
  delivered: 'ok',
  failed: 'warn',
  'dead-lettered': 'bad',
  gone: 'bad',
  skipped: 'off',
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return <span class={`badge ${OUTCOME_CLASS[outcome] ?? 'off'}`}>{outcome}</span>;
}
