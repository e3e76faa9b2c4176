/** The form that creates or edits a webhook. */

import { useEffect, useState } from 'preact/hooks';
import type { ConsoleContext } from './App';
import { ApiError } from './apiClient';
import { Heading } from './components/Heading';
import {
  OperationsField,
  type OperationsValue,
  operationsFrom,
  splitOperations,
} from './components/OperationsField';
import { SecretDialog } from './components/SecretDialog';
import type { CreatedWebhook, SubscribableEvents, Webhook } from './types';

const DEFAULT_EVENTS: SubscribableEvents = {
  objects: [],
  anyObject: true,
  actions: ['created', 'updated', 'deleted', 'restored', 'destroyed'],
};

/**
 * Fields the form edits; `headers`, `rateLimit`, `maxConcurrentDeliveries` and `filter` appear when the
 * API documents them.
 */
type FieldName =
  | 'targetUrl'
  | 'operations'
  | 'description'
  | 'payloadFormat'
  | 'headers'
  | 'rateLimit'
  | 'maxConcurrentDeliveries'
  | 'filter';
const FIELD_NAMES: FieldName[] = [
  'targetUrl',
  'operations',
  'description',
  'payloadFormat',
  'headers',
  'rateLimit',
  'maxConcurrentDeliveries',
  'filter',
];

/** The optional numeric limits: empty means none (and, when editing, removes one that was set). */
const LIMIT_FIELDS = ['rateLimit', 'maxConcurrentDeliveries'] as const;

interface FormState {
  targetUrl: string;
  operations: OperationsValue;
  description: string;
  payloadFormat: 'default' | 'twenty';
  /** One `Name: value` per line. */
  headers: string;
  rateLimit: string;
  maxConcurrentDeliveries: string;
  /** JSON, as the API documents the filter. */
  filter: string;
}

type Errors = Partial<Record<FieldName | 'form', string>>;

/** A problem's field errors, each under the form field its `path` names (`operations.2` → operations). */
function errorsByField(error: ApiError): Errors {
  const errors: Errors = {};
  for (const { path, message } of error.fieldErrors) {
    const field = FIELD_NAMES.find((name) => path === name || path.startsWith(`${name}.`));
    const key = field ?? 'form';
    const text = field === undefined && path ? `${path}: ${message}` : message;
    errors[key] = errors[key] ? `${errors[key]}; ${text}` : text;
  }
  if (Object.keys(errors).length === 0) errors.form = error.message;
  return errors;
}

function parseHeaders(text: string): Record<string, string> | string {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `"${line.trim()}" is not "Name: value"`;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function fieldId(field: FieldName): string {
  return field === 'operations' ? 'field-operations' : `field-${field}`;
}

export function WebhookForm({ context, webhookId }: { context: ConsoleContext; webhookId?: string }) {
  const { api, navigate, notify, capabilities } = context;
  const events = context.events ?? DEFAULT_EVENTS;
  const editing = webhookId !== undefined;
  const [loaded, setLoaded] = useState<Webhook>();
  const [state, setState] = useState<FormState>({
    targetUrl: '',
    operations: { checked: ['*.*'], other: '' },
    description: '',
    payloadFormat: 'default',
    headers: '',
    rateLimit: '',
    maxConcurrentDeliveries: '',
    filter: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook>();
  const offers = (field: string) => capabilities.createFields.has(field);

  useEffect(() => {
    if (!webhookId) return;
    api.request<Webhook>('GET', `/webhooks/${webhookId}`).then(
      (webhook) => {
        setLoaded(webhook);
        const { checked, other } = splitOperations(webhook.operations, events);
        setState({
          targetUrl: webhook.targetUrl,
          operations: { checked, other: other.join(', ') },
          description: webhook.description ?? '',
          payloadFormat: webhook.payloadFormat,
          headers: '',
          rateLimit: webhook.rateLimit === undefined ? '' : String(webhook.rateLimit),
          maxConcurrentDeliveries:
            webhook.maxConcurrentDeliveries === undefined ? '' : String(webhook.maxConcurrentDeliveries),
          filter: webhook.filter === undefined ? '' : JSON.stringify(webhook.filter, null, 2),
        });
      },
      (failure: Error) => setErrors({ form: failure.message }),
    );
    // Loaded once per webhook; the objects list only seeds the split between grid and free text.
  }, [api, webhookId]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setState((s) => ({ ...s, [key]: value }));

  const showErrors = (next: Errors) => {
    setErrors(next);
    const first = FIELD_NAMES.find((name) => next[name]);
    // After render: move focus to the first field the API complained about.
    setTimeout(() => {
      const target = first ? document.getElementById(fieldId(first)) : document.getElementById('form-error');
      const focusable = target?.matches('fieldset') ? target.querySelector<HTMLElement>('input') : target;
      focusable?.focus();
    });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = {
      targetUrl: state.targetUrl.trim(),
      operations: operationsFrom(state.operations),
      payloadFormat: state.payloadFormat,
    };
    if (state.description.trim() !== '') body.description = state.description.trim();
    else if (editing && loaded?.description !== undefined) body.description = null;
    const local: Errors = {};
    if (offers('headers') && state.headers.trim() !== '') {
      const headers = parseHeaders(state.headers);
      if (typeof headers === 'string') local.headers = headers;
      else body.headers = headers;
    }
    for (const field of LIMIT_FIELDS) {
      if (!offers(field)) continue;
      const text = state[field].trim();
      // Sent as typed (a number when it is one): the API names the field when the value is wrong.
      if (text !== '') body[field] = Number.isNaN(Number(text)) ? text : Number(text);
      else if (editing && loaded?.[field] !== undefined) body[field] = null;
    }
    if (offers('filter') && state.filter.trim() !== '') {
      try {
        body.filter = JSON.parse(state.filter);
      } catch {
        local.filter = 'must be JSON';
      }
    }
    if (Object.keys(local).length > 0) {
      showErrors(local);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      if (editing) {
        await api.request<Webhook>('PATCH', `/webhooks/${webhookId}`, body);
        navigate({ name: 'detail', id: webhookId });
        notify({ kind: 'success', text: 'Webhook saved.' });
      } else {
        setCreated(await api.request<CreatedWebhook>('POST', '/webhooks', body));
      }
    } catch (failure) {
      showErrors(failure instanceof ApiError ? errorsByField(failure) : { form: (failure as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (field: FieldName, hint?: string) =>
    [hint, errors[field] ? `${fieldId(field)}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: FieldName) =>
    errors[field] && (
      <p id={`${fieldId(field)}-error`} class="field-error">
        {errors[field]}
      </p>
    );

  return (
    <section>
      <Heading>{editing ? 'Edit webhook' : 'Create webhook'}</Heading>
      {errors.form && (
        <p id="form-error" class="notice error" role="alert" tabIndex={-1}>
          {errors.form}
        </p>
      )}
      {editing && loaded === undefined && !errors.form && <p aria-live="polite">Loading the webhook…</p>}
      {/* Editing shows the fields only once the webhook is loaded: typed values are never overwritten. */}
      {(!editing || loaded !== undefined) && (
        <form onSubmit={submit} noValidate class="webhook-form">
          <div class="field">
            <label for="field-targetUrl">Target URL</label>
            <input
              id="field-targetUrl"
              type="url"
              inputMode="url"
              autocomplete="url"
              value={state.targetUrl}
              placeholder="https://example.com/hooks/crm"
              onInput={(e) => set('targetUrl', (e.currentTarget as HTMLInputElement).value)}
              aria-invalid={errors.targetUrl ? 'true' : undefined}
              aria-describedby={describedBy('targetUrl', 'targetUrl-hint')}
            />
            <p id="targetUrl-hint" class="hint">
              Where the signed POST requests go (https, on a public host).
            </p>
            {fieldError('targetUrl')}
          </div>

          <OperationsField
            events={events}
            value={state.operations}
            onChange={(value) => set('operations', value)}
            error={errors.operations}
          />

          <div class="field">
            <label for="field-description">Description (optional)</label>
            <textarea
              id="field-description"
              rows={2}
              value={state.description}
              onInput={(e) => set('description', (e.currentTarget as HTMLTextAreaElement).value)}
              aria-invalid={errors.description ? 'true' : undefined}
              aria-describedby={describedBy('description')}
            />
            {fieldError('description')}
          </div>

          <fieldset class="field" id="field-payloadFormat" aria-describedby={describedBy('payloadFormat')}>
            <legend>Payload format</legend>
            <label class="check">
              <input
                type="radio"
                name="payloadFormat"
                value="default"
                checked={state.payloadFormat === 'default'}
                onChange={() => set('payloadFormat', 'default')}
              />
              <span>
                Default (<code>event</code>, <code>data</code>, <code>timestamp</code>, …)
              </span>
            </label>
            <label class="check">
              <input
                type="radio"
                name="payloadFormat"
                value="twenty"
                checked={state.payloadFormat === 'twenty'}
                onChange={() => set('payloadFormat', 'twenty')}
              />
              Twenty (the body Twenty CRM itself sends)
            </label>
            {fieldError('payloadFormat')}
          </fieldset>

          {offers('filter') && (
            <div class="field">
              <label for="field-filter">Filter (optional, JSON)</label>
              <textarea
                id="field-filter"
                class="mono"
                rows={3}
                value={state.filter}
                placeholder='{"updatedFields": ["email"]}'
                onInput={(e) => set('filter', (e.currentTarget as HTMLTextAreaElement).value)}
                aria-invalid={errors.filter ? 'true' : undefined}
                aria-describedby={describedBy('filter', 'filter-hint')}
              />
              <p id="filter-hint" class="hint">
                As described in the API reference (<code>filter</code> of <code>POST /webhooks</code>).
              </p>
              {fieldError('filter')}
            </div>
          )}

          {offers('headers') && (
            <div class="field">
              <label for="field-headers">Custom headers (optional)</label>
              <textarea
                id="field-headers"
                class="mono"
                rows={2}
                value={state.headers}
                placeholder="X-Api-Token: …"
                onInput={(e) => set('headers', (e.currentTarget as HTMLTextAreaElement).value)}
                aria-invalid={errors.headers ? 'true' : undefined}
                aria-describedby={describedBy('headers', 'headers-hint')}
              />
              <p id="headers-hint" class="hint">
                One <code>Name: value</code> per line. Values are stored like secrets and never shown again
                {editing ? '; leave empty to keep the current headers' : ''}.
              </p>
              {fieldError('headers')}
            </div>
          )}

          {offers('rateLimit') && (
            <div class="field">
              <label for="field-rateLimit">Rate limit (deliveries per second, optional)</label>
              <input
                id="field-rateLimit"
                type="number"
                inputMode="decimal"
                min={0.01}
                max={500}
                step="any"
                value={state.rateLimit}
                placeholder="no limit"
                onInput={(e) => set('rateLimit', (e.currentTarget as HTMLInputElement).value)}
                aria-invalid={errors.rateLimit ? 'true' : undefined}
                aria-describedby={describedBy('rateLimit', 'rateLimit-hint')}
              />
              <p id="rateLimit-hint" class="hint">
                0.01 to 500; 0.5 is one every 2 s. Deliveries over it wait and are sent later, never dropped.
              </p>
              {fieldError('rateLimit')}
            </div>
          )}

          {offers('maxConcurrentDeliveries') && (
            <div class="field">
              <label for="field-maxConcurrentDeliveries">Concurrent deliveries (optional)</label>
              <input
                id="field-maxConcurrentDeliveries"
                type="number"
                inputMode="numeric"
                min={1}
                max={100}
                step={1}
                value={state.maxConcurrentDeliveries}
                placeholder="no cap"
                onInput={(e) => set('maxConcurrentDeliveries', (e.currentTarget as HTMLInputElement).value)}
                aria-invalid={errors.maxConcurrentDeliveries ? 'true' : undefined}
                aria-describedby={describedBy('maxConcurrentDeliveries', 'maxConcurrentDeliveries-hint')}
              />
              <p id="maxConcurrentDeliveries-hint" class="hint">
                1 to 100 requests in flight at once to this endpoint; more wait a second or two.
              </p>
              {fieldError('maxConcurrentDeliveries')}
            </div>
          )}

          <div class="actions">
            <button
              type="button"
              class="secondary"
              onClick={() => navigate(editing ? { name: 'detail', id: webhookId } : { name: 'list' })}
            >
              Cancel
            </button>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Saving…' : editing ? 'Save webhook' : 'Create webhook'}
            </button>
          </div>
        </form>
      )}
      {created && (
        <SecretDialog
          title="Webhook created: copy its signing secret"
          secret={created.secret}
          onClose={() => {
            setCreated(undefined);
            navigate({ name: 'list' });
            notify({ kind: 'success', text: `Webhook for ${created.targetUrl} created.` });
          }}
        />
      )}
    </section>
  );
}
