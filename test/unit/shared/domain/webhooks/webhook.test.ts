import { describe, expect, it } from 'vitest';
import { toWebhookView, type Webhook } from '../../../../../shared/domain/webhooks/webhook';

const webhook: Webhook = {
  id: 'wh-1',
  workspaceId: 'ws-1',
  targetUrl: 'https://example.com/hook',
  operations: ['*.*'],
  payloadFormat: 'default',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  secretName: 'crm-webhooks/ws-1/wh-1',
  secretVersionId: 'v2',
  previousSecretVersionId: 'v1',
  version: 3,
};

describe('toWebhookView', () => {
  it('shows public fields only, never secret references or bookkeeping', () => {
    const view = toWebhookView(webhook);
    expect(view).toEqual({
      id: 'wh-1',
      workspaceId: 'ws-1',
      targetUrl: 'https://example.com/hook',
      operations: ['*.*'],
      payloadFormat: 'default',
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    expect(JSON.stringify(view)).not.toMatch(/secret|version/i);
  });

  it('never shows sealed secrets (envelope mode)', () => {
    const view = toWebhookView({
      ...webhook,
      sealedSecret: 'c1.aaa.bbb.ccc.k1',
      sealedPreviousSecret: 'c1.d.e.f.k1',
    });
    expect(JSON.stringify(view)).not.toMatch(/sealed|c1\./);
  });

  it('includes optional fields when set', () => {
    const view = toWebhookView({
      ...webhook,
      description: 'CRM sync',
      status: 'disabled',
      disabledReason: 'gone',
      failingSince: '2026-01-03T00:00:00.000Z',
      previousSecretExpiresAt: '2026-01-04T00:00:00.000Z',
    });
    expect(view).toMatchObject({
      description: 'CRM sync',
      disabledReason: 'gone',
      failingSince: '2026-01-03T00:00:00.000Z',
      previousSecretExpiresAt: '2026-01-04T00:00:00.000Z',
    });
  });
});
