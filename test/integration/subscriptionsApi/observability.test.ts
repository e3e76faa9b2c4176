import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { metrics } from '../../../functions/subscriptions-api/observability';
import { type ApiHarness, startApiHarness } from './apiHarness';

// Powertools resets the level to its initial value on every invocation: set it before the logger exists.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

let api: ApiHarness;

beforeAll(async () => {
  // Per-webhook mode: its Secrets Manager failure path (503) is part of what must not leak.
  api = await startApiHarness({ secretStore: 'per-webhook' });
});

afterAll(async () => {
  await api.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything the function writes to stdout/stderr (Powertools logs and EMF go there). */
function captureOutput() {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return lines;
}

describe('logs and metrics', () => {
  it('log one line per request with method, route template, status and latency', async () => {
    const output = captureOutput();
    await api.call({ apiKey: api.keyA, method: 'GET', path: '/webhooks/wh_unknownunknownunknown' });
    vi.restoreAllMocks();
    const requestLines = output
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ method: 'GET', route: 'GET /webhooks/{id}', status: 404 });
    expect(typeof requestLines[0].latencyMs).toBe('number');
    expect(requestLines[0].function_request_id).toBeDefined();
  });

  it('never log secrets, API keys or bodies, even for failures', async () => {
    const output = captureOutput();
    const created = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/private-path-marker', description: 'body-marker' },
    });
    const rotated = await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: `/webhooks/${created.json.id}/rotate-secret`,
    });
    api.secretsLocal.failNext('CreateSecret', 'EncryptionFailure');
    await api.call({
      apiKey: api.keyA,
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/x' },
    });
    await api.call({ apiKey: api.keyA, method: 'POST', path: '/webhooks', body: '{"broken' });
    vi.restoreAllMocks();
    const text = output.join('');
    expect(text).toContain('"message":"request"');
    for (const secret of [
      created.json.secret,
      rotated.json.secret,
      api.keyA,
      'private-path-marker',
      'body-marker',
    ]) {
      expect(text).not.toContain(secret);
    }
    for (const stored of api.secretsLocal.allSecretStrings()) expect(text).not.toContain(stored);
    expect(text.match(/"message":"request"/g)).toHaveLength(4);
  });

  it('record Requests and Latency per route and status class', async () => {
    const dimensions = vi.spyOn(metrics, 'addDimensions');
    const added = vi.spyOn(metrics, 'addMetric');
    await api.call({ apiKey: api.keyA, method: 'PUT', path: '/webhooks' });
    await api.call({ apiKey: api.keyA, method: 'GET', path: '/webhooks' });
    await api.call({ method: 'GET', path: '/no/such/route/12345' });
    expect(dimensions.mock.calls.map(([d]) => d)).toEqual([
      { route: 'unmatched', statusClass: '4xx' },
      { route: 'GET /webhooks', statusClass: '2xx' },
      { route: 'unmatched', statusClass: '4xx' },
    ]);
    expect(added.mock.calls.filter(([name]) => name === 'Requests')).toHaveLength(3);
    expect(added.mock.calls.filter(([name]) => name === 'Latency')).toHaveLength(3);
  });
});
