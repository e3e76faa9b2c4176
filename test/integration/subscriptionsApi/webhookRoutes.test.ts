import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCrmSourcesConfig } from '../../../shared/config/crmSourcesConfig';
import { type ApiHarness, startApiHarness, WORKSPACE_A } from './apiHarness';

let api: ApiHarness;
let asA: ApiHarness['call'];

beforeAll(async () => {
  api = await startApiHarness();
  asA = (options) => api.call({ apiKey: api.keyA, ...options });
});

afterAll(async () => {
  await api.stop();
});

async function createWebhook(body: Record<string, unknown> = {}) {
  const response = await asA({
    method: 'POST',
    path: '/webhooks',
    body: { targetUrl: 'https://example.com/hooks', ...body },
  });
  expect(response.status, JSON.stringify(response.json)).toBe(201);
  return response.json;
}

describe('POST /webhooks', () => {
  it('creates a webhook with defaults and returns its secret once', async () => {
    const response = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/hooks', description: 'warehouse sync' },
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    const created = response.json;
    expect(created).toMatchObject({
      workspaceId: WORKSPACE_A,
      targetUrl: 'https://example.com/hooks',
      operations: ['*.*'],
      description: 'warehouse sync',
      payloadFormat: 'default',
      status: 'active',
    });
    expect(created.id).toMatch(/^wh_[A-Za-z0-9_-]{22}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.createdAt).toBe(created.updatedAt);
    expect(response.headers.location).toBe(`/webhooks/${created.id}`);
    expect(created).not.toHaveProperty('secretName');
    expect(created).not.toHaveProperty('secretVersionId');
    expect(created).not.toHaveProperty('sealedSecret');
    expect(created).not.toHaveProperty('version');

    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    // Envelope mode (the default): sealed on the row, nothing per webhook in Secrets Manager.
    expect(stored?.sealedSecret).toMatch(/^c1\./);
    expect(stored).not.toHaveProperty('secretName');
    expect(JSON.stringify(stored)).not.toContain(created.secret);
    expect(api.secretsLocal.allSecretStrings()).not.toContain(created.secret);

    const fetched = await asA({ method: 'GET', path: `/webhooks/${created.id}` });
    expect(fetched.status).toBe(200);
    const { secret: _secret, ...view } = created;
    expect(fetched.json).toEqual(view);
    expect(fetched.rawBody).not.toContain('whsec_');
  });

  it('stores a field filter, shows it on GET and list, and PATCH replaces or removes it', async () => {
    const filter = {
      updatedFields: ['stage', 'amount'],
      where: { stage: ['WON', 'LOST'], pipeline: 'main', amount: 12.5, archived: false, owner: null },
    };
    const created = await createWebhook({ filter });
    expect(created.filter).toEqual(filter);
    const fetched = await asA({ method: 'GET', path: `/webhooks/${created.id}` });
    expect(fetched.json.filter).toEqual(filter);
    const listed = await asA({ method: 'GET', path: '/webhooks?limit=100' });
    expect(listed.json.data.find((w: { id: string }) => w.id === created.id)?.filter).toEqual(filter);

    const replaced = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { filter: { updatedFields: ['city'] } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.filter).toEqual({ updatedFields: ['city'] });
    const removed = await asA({ method: 'PATCH', path: `/webhooks/${created.id}`, body: { filter: null } });
    expect(removed.status).toBe(200);
    expect(removed.json).not.toHaveProperty('filter');
  });

  it('stores custom headers sealed, shows only their names, and PATCH replaces or removes them', async () => {
    const value = 'Bearer receiver-token-4f1c9a';
    const created = await createWebhook({ headers: { Authorization: value, 'X-Tenant': 'acme' } });
    expect(created.headers).toEqual(['Authorization', 'X-Tenant']);
    const fetched = await asA({ method: 'GET', path: `/webhooks/${created.id}` });
    expect(fetched.json.headers).toEqual(['Authorization', 'X-Tenant']);
    expect(fetched.rawBody).not.toContain(value);
    const listed = await asA({ method: 'GET', path: '/webhooks?limit=100' });
    expect(listed.rawBody).not.toContain(value);
    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored?.sealedHeaders).toMatch(/^c1\./);
    expect(JSON.stringify(stored)).not.toContain(value);
    expect(JSON.stringify(stored)).not.toContain('acme');

    const replaced = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { headers: { 'X-Api-Key': 'k-123' } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.headers).toEqual(['X-Api-Key']);
    const removed = await asA({ method: 'PATCH', path: `/webhooks/${created.id}`, body: { headers: null } });
    expect(removed.json).not.toHaveProperty('headers');
    const row = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(row).not.toHaveProperty('sealedHeaders');
  });

  it.each([
    ['Host', 'headers.Host'],
    ['content-type', 'headers.content-type'],
    ['Content-Length', 'headers.Content-Length'],
    ['User-Agent', 'headers.User-Agent'],
    ['Connection', 'headers.Connection'],
    ['Transfer-Encoding', 'headers.Transfer-Encoding'],
    ['X-Twenty-Webhook-Signature', 'headers.X-Twenty-Webhook-Signature'],
    ['webhook-id', 'headers.webhook-id'],
    ['Bad Name', 'headers.Bad Name'],
    ['X-Ünicode', 'headers.X-Ünicode'],
  ])('refuses the custom header name %s with 400 naming it', async (name, path) => {
    const response = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com', headers: { [name]: 'v' } },
    });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('refuses bad header values, more than 10 headers and names differing only in case', async () => {
    for (const [headers, path] of [
      [{ 'X-A': 'line\r\nInjected: yes' }, 'headers.X-A'],
      [{ 'X-A': '' }, 'headers.X-A'],
      [{ 'X-A': ' padded' }, 'headers.X-A'],
      [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, 'v'])), 'headers'],
      [{ 'X-Key': 'a', 'x-key': 'b' }, 'headers'],
    ] as const) {
      const response = await asA({
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'https://example.com', headers },
      });
      expect(response.status, JSON.stringify(headers)).toBe(400);
      expect(response.json.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(response.rawBody).not.toContain('Injected');
    }
  });

  it('accepts 20 filter fields and 50 values', async () => {
    const updatedFields = Array.from({ length: 20 }, (_, i) => `field${i}`);
    const where = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`field${i}`, i < 10 ? [i, `v${i}`, true, null] : i]),
    );
    const created = await createWebhook({ filter: { updatedFields, where } });
    expect(created.filter.updatedFields).toHaveLength(20);
    expect(Object.keys(created.filter.where)).toHaveLength(20);
  });

  it('de-duplicates operations and keeps payloadFormat', async () => {
    const created = await createWebhook({
      operations: ['person.created', 'company.*', 'person.created'],
      payloadFormat: 'twenty',
    });
    expect(created.operations).toEqual(['person.created', 'company.*']);
    expect(created.payloadFormat).toBe('twenty');
  });

  it('accepts a 500-character description and a 2048-character URL', async () => {
    const targetUrl = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
    const created = await createWebhook({ description: 'd'.repeat(500), targetUrl });
    expect(created.targetUrl).toHaveLength(2048);
  });

  it('answers Cache-Control: no-store with the secret, on create and on rotation', async () => {
    const created = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/h' },
    });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_/);
    expect(created.headers['cache-control']).toBe('no-store');
    const rotated = await asA({ method: 'POST', path: `/webhooks/${created.json.id}/rotate-secret` });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['HTTPS://Example.COM:443/a/./b/../c?q=1#f', 'https://example.com/a/c?q=1#f'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com\\@10.0.0.1/x', 'https://example.com/@10.0.0.1/x'],
    ['https://bücher.example/hook', 'https://xn--bcher-kva.example/hook'],
  ])('stores and returns %s as the URL actually called, %s', async (input, normalized) => {
    const created = await createWebhook({ targetUrl: input });
    expect(created.targetUrl).toBe(normalized);
    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored?.targetUrl).toBe(normalized);
    const fetched = await asA({ method: 'GET', path: `/webhooks/${created.id}` });
    expect(fetched.json.targetUrl).toBe(normalized);

    const patched = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { targetUrl: input },
    });
    expect(patched.json.targetUrl).toBe(normalized);
  });

  const invalidBodies: [string, Record<string, unknown>, string][] = [
    ['missing targetUrl', {}, 'targetUrl'],
    ['relative URL', { targetUrl: '/hooks' }, 'targetUrl'],
    ['http in production mode', { targetUrl: 'http://example.com/hooks' }, 'targetUrl'],
    ['ftp URL', { targetUrl: 'ftp://example.com/hooks' }, 'targetUrl'],
    ['credentials in URL', { targetUrl: 'https://user:pass@example.com/hooks' }, 'targetUrl'],
    ['username only', { targetUrl: 'https://user@example.com/hooks' }, 'targetUrl'],
    ['URL over 2048 characters', { targetUrl: `https://example.com/${'a'.repeat(2040)}` }, 'targetUrl'],
    ['loopback IP', { targetUrl: 'https://127.0.0.1/hooks' }, 'targetUrl'],
    ['localhost', { targetUrl: 'https://localhost/hooks' }, 'targetUrl'],
    ['private IP', { targetUrl: 'https://10.1.2.3/hooks' }, 'targetUrl'],
    ['private 192.168', { targetUrl: 'https://192.168.0.10/hooks' }, 'targetUrl'],
    ['metadata address', { targetUrl: 'https://169.254.169.254/latest' }, 'targetUrl'],
    ['CGNAT', { targetUrl: 'https://100.64.0.1/hooks' }, 'targetUrl'],
    ['multicast', { targetUrl: 'https://224.0.0.1/hooks' }, 'targetUrl'],
    ['IPv6 loopback', { targetUrl: 'https://[::1]/hooks' }, 'targetUrl'],
    ['IPv6 unique local', { targetUrl: 'https://[fd00::1]/hooks' }, 'targetUrl'],
    ['IPv4-mapped IPv6', { targetUrl: 'https://[::ffff:10.0.0.1]/hooks' }, 'targetUrl'],
    ['IPv4-compatible IPv6 loopback', { targetUrl: 'https://[::127.0.0.1]/hooks' }, 'targetUrl'],
    ['IPv4-compatible IPv6 metadata', { targetUrl: 'https://[::a9fe:a9fe]/latest' }, 'targetUrl'],
    ['IPv4-compatible IPv6 private', { targetUrl: 'https://[::10.1.2.3]/hooks' }, 'targetUrl'],
    ['decimal IPv4 literal', { targetUrl: 'https://2130706433/hooks' }, 'targetUrl'],
    ['internal name', { targetUrl: 'https://metadata.google.internal/' }, 'targetUrl'],
    ['whitespace', { targetUrl: ' https://example.com/hooks' }, 'targetUrl'],
    ['targetUrl not a string', { targetUrl: 42 }, 'targetUrl'],
    ['bad operation', { targetUrl: 'https://example.com', operations: ['person'] }, 'operations.0'],
    [
      'unknown action',
      { targetUrl: 'https://example.com', operations: ['*.*', 'person.exploded'] },
      'operations.1',
    ],
    [
      'an object no CRM source produces',
      { targetUrl: 'https://example.com', operations: ['person.*', 'invoice.created'] },
      'operations.1',
    ],
    ['empty operations', { targetUrl: 'https://example.com', operations: [] }, 'operations'],
    [
      '51 operations',
      { targetUrl: 'https://example.com', operations: Array.from({ length: 51 }, (_, i) => `o${i}.created`) },
      'operations',
    ],
    ['operations not an array', { targetUrl: 'https://example.com', operations: '*.*' }, 'operations'],
    [
      'description too long',
      { targetUrl: 'https://example.com', description: 'x'.repeat(501) },
      'description',
    ],
    ['bad payloadFormat', { targetUrl: 'https://example.com', payloadFormat: 'xml' }, 'payloadFormat'],
    ['empty filter', { targetUrl: 'https://example.com', filter: {} }, 'filter'],
    ['filter not an object', { targetUrl: 'https://example.com', filter: 'stage' }, 'filter'],
    ['unknown filter key', { targetUrl: 'https://example.com', filter: { fields: ['a'] } }, 'filter.fields'],
    [
      '21 updatedFields',
      {
        targetUrl: 'https://example.com',
        filter: { updatedFields: Array.from({ length: 21 }, (_, i) => `f${i}`) },
      },
      'filter.updatedFields',
    ],
    [
      'empty updatedFields',
      { targetUrl: 'https://example.com', filter: { updatedFields: [] } },
      'filter.updatedFields',
    ],
    [
      'empty field name',
      { targetUrl: 'https://example.com', filter: { updatedFields: ['stage', ''] } },
      'filter.updatedFields.1',
    ],
    [
      'control character in a field name',
      { targetUrl: 'https://example.com', filter: { updatedFields: ['sta\nge'] } },
      'filter.updatedFields.0',
    ],
    [
      'where value not a scalar',
      { targetUrl: 'https://example.com', filter: { where: { stage: { eq: 'WON' } } } },
      'filter.where.stage',
    ],
    [
      'where number beyond 2^53',
      { targetUrl: 'https://example.com', filter: { where: { amount: 2 ** 60 } } },
      'filter.where.amount',
    ],
    ['empty where', { targetUrl: 'https://example.com', filter: { where: {} } }, 'filter.where'],
    [
      '21 where fields',
      {
        targetUrl: 'https://example.com',
        filter: { where: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 1])) },
      },
      'filter.where',
    ],
    [
      '51 where values',
      {
        targetUrl: 'https://example.com',
        filter: {
          where: { a: Array.from({ length: 30 }, (_, i) => i), b: Array.from({ length: 21 }, (_, i) => i) },
        },
      },
      'filter.where',
    ],
    ['unknown field', { targetUrl: 'https://example.com', secret: 'mine' }, 'secret'],
    ['status on create', { targetUrl: 'https://example.com', status: 'disabled' }, 'status'],
  ];

  it.each(invalidBodies)('rejects %s with 400 naming the field', async (_name, body, field) => {
    const response = await asA({ method: 'POST', path: '/webhooks', body });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 400, title: 'Invalid request' });
    expect(response.json.type).toMatch(/^urn:crm-webhooks:problem:/);
    expect(response.json.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('names every bad field at once', async () => {
    const response = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'http://10.0.0.1', operations: ['nope'], description: 7, extra: true },
    });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['description', 'extra', 'operations.0', 'targetUrl'].sort(),
    );
  });

  it('rejects a JSON body that is not an object', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) {
      const response = await asA({ method: 'POST', path: '/webhooks', body });
      expect(response.status).toBe(400);
      expect(response.json.errors).toEqual([{ path: '', message: 'must be a JSON object' }]);
    }
  });
});

describe('operations against the CRM sources config', () => {
  it('refuses an object no source produces, naming the entry and listing the configured objects', async () => {
    const response = await asA({
      method: 'POST',
      path: '/webhooks',
      body: { targetUrl: 'https://example.com/h', operations: ['*.*', 'invoice.created'] },
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.errors).toEqual([
      {
        path: 'operations.1',
        message:
          '"invoice.created": no CRM source produces "invoice" events; the configured objects are company, note, opportunity, person, task',
      },
    ]);
    const created = await createWebhook();
    const patched = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { operations: ['invoice.*'] },
    });
    expect(patched.status).toBe(400);
    expect(patched.json.errors.map((e: { path: string }) => e.path)).toEqual(['operations.0']);
  });

  it('accepts wildcards and every configured object', async () => {
    const operations = ['*.*', '*.created', 'person.*', 'company.updated', 'note.deleted', 'task.restored'];
    const created = await createWebhook({ operations: [...operations, 'opportunity.destroyed'] });
    expect(created.operations).toEqual([...operations, 'opportunity.destroyed']);
  });

  it('with a single-table source (free-form object attribute), accepts any camelCase object', async () => {
    const singleTable = await startApiHarness({
      crmSources: parseCrmSourcesConfig({
        crmTables: [
          { tableName: 'person', object: 'person' },
          { tableName: 'crm', objectAttribute: 'entityType' },
        ],
      }),
    });
    try {
      const operations = Array.from({ length: 50 }, (_, i) => `object${i}.created`);
      const created = await singleTable.call({
        apiKey: singleTable.keyA,
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'https://example.com/h', operations: ['invoice.created', ...operations.slice(1)] },
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      expect(created.json.operations).toHaveLength(50);
      expect(created.json.operations[0]).toBe('invoice.created');
      const notCamelCase = await singleTable.call({
        apiKey: singleTable.keyA,
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'https://example.com/h', operations: ['Invoice.created'] },
      });
      expect(notCamelCase.status).toBe(400);
    } finally {
      await singleTable.stop();
    }
  });
});

describe('local mode', () => {
  it('accepts http and loopback targets only when LOCAL_MODE is on', async () => {
    const local = await startApiHarness({ localMode: true });
    try {
      for (const targetUrl of [
        'http://127.0.0.1:4000/hook',
        'http://localhost:4000/hook',
        'http://[::1]:4000/x',
      ]) {
        const response = await local.call({
          apiKey: local.keyA,
          method: 'POST',
          path: '/webhooks',
          body: { targetUrl },
        });
        expect(response.status, targetUrl).toBe(201);
      }
      const privateTarget = await local.call({
        apiKey: local.keyA,
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'http://10.0.0.5/hook' },
      });
      expect(privateTarget.status).toBe(400);
      // Loopback is allowed locally, but not through the deprecated IPv4-compatible form.
      for (const targetUrl of ['http://[::127.0.0.1]:4000/hook', 'http://[::a9fe:a9fe]/latest']) {
        const compatible = await local.call({
          apiKey: local.keyA,
          method: 'POST',
          path: '/webhooks',
          body: { targetUrl },
        });
        expect(compatible.status, targetUrl).toBe(400);
        expect(compatible.json.errors[0]).toMatchObject({
          path: 'targetUrl',
          message: expect.stringMatching(/IPv4-compatible/),
        });
      }
      // Stored as called: the backslash ends the authority for the WHATWG parser, so the host is 127.0.0.1.
      const backslash = await local.call({
        apiKey: local.keyA,
        method: 'POST',
        path: '/webhooks',
        body: { targetUrl: 'http://127.0.0.1:4801\\@10.0.0.1/x' },
      });
      expect(backslash.status).toBe(201);
      expect(backslash.json.targetUrl).toBe('http://127.0.0.1:4801/@10.0.0.1/x');
    } finally {
      await local.stop();
    }
  });
});

describe('GET /webhooks', () => {
  it('pages through more than one page with a cursor and never returns secrets', async () => {
    const separate = await startApiHarness();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const response = await separate.call({
          apiKey: separate.keyA,
          method: 'POST',
          path: '/webhooks',
          body: { targetUrl: `https://example.com/${i}` },
        });
        ids.push(response.json.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await separate.call({
          apiKey: separate.keyA,
          method: 'GET',
          path: `/webhooks?limit=3${query}`,
        });
        expect(page.status).toBe(200);
        expect(page.json.data.length).toBeLessThanOrEqual(3);
        expect(page.rawBody).not.toMatch(/whsec_|secretName|secretVersionId/);
        seen.push(...page.json.data.map((w: { id: string }) => w.id));
        cursor = page.json.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(seen.sort()).toEqual([...ids].sort());

      const all = await separate.call({ apiKey: separate.keyA, method: 'GET', path: '/webhooks' });
      expect(all.json.data).toHaveLength(7);
      expect(all.json.nextCursor).toBeNull();
    } finally {
      await separate.stop();
    }
  });

  it.each([
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=2.5', 'limit'],
    ['limit=-1', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [
      `cursor=${Buffer.from(JSON.stringify({ workspaceId: 'ws-beta', id: 'wh_x' })).toString('base64url')}`,
      'cursor',
    ],
  ])('rejects %s with 400', async (query, field) => {
    const response = await asA({ method: 'GET', path: `/webhooks?${query}` });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.errors.map((e: { path: string }) => e.path)).toContain(field);
  });
});

describe('PATCH /webhooks/{id}', () => {
  it('changes only the fields sent and bumps updatedAt', async () => {
    const created = await createWebhook({ description: 'before', operations: ['person.*'] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { targetUrl: 'https://example.org/new', operations: ['note.created', 'note.created'] },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: created.id,
      targetUrl: 'https://example.org/new',
      operations: ['note.created'],
      description: 'before',
      createdAt: created.createdAt,
    });
    expect(response.json.updatedAt > created.updatedAt).toBe(true);
    expect(response.rawBody).not.toContain('whsec_');
  });

  it('removes the description with null and switches payloadFormat', async () => {
    const created = await createWebhook({ description: 'to remove' });
    const response = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { description: null, payloadFormat: 'twenty' },
    });
    expect(response.status).toBe(200);
    expect(response.json).not.toHaveProperty('description');
    expect(response.json.payloadFormat).toBe('twenty');
  });

  it('disables and re-enables, clearing the failure state', async () => {
    const created = await createWebhook();
    // The delivery function's bookkeeping: a failure run, then auto-disable.
    await api.webhookStore.recordFailure(WORKSPACE_A, created.id, new Date('2026-01-01T00:00:00Z'));
    await api.webhookStore.disable(WORKSPACE_A, created.id, 'failing', new Date());
    const disabled = await asA({ method: 'GET', path: `/webhooks/${created.id}` });
    expect(disabled.json).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    expect(disabled.json.failingSince).toBe('2026-01-01T00:00:00.000Z');

    const enabled = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { status: 'active' },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.json.status).toBe('active');
    expect(enabled.json).not.toHaveProperty('disabledReason');
    expect(enabled.json).not.toHaveProperty('failingSince');

    const byUser = await asA({
      method: 'PATCH',
      path: `/webhooks/${created.id}`,
      body: { status: 'disabled' },
    });
    expect(byUser.json).toMatchObject({ status: 'disabled', disabledReason: 'user' });
  });

  it.each([
    ['empty body', {}, ''],
    ['bad status', { status: 'paused' }, 'status'],
    ['http URL', { targetUrl: 'http://example.com' }, 'targetUrl'],
    ['private target', { targetUrl: 'https://172.16.0.1/' }, 'targetUrl'],
    ['bad operations', { operations: ['*'] }, 'operations.0'],
    ['empty operations', { operations: [] }, 'operations'],
    ['long description', { description: 'x'.repeat(501) }, 'description'],
    ['bad payloadFormat', { payloadFormat: 'csv' }, 'payloadFormat'],
    ['bad filter', { filter: { updatedFields: 'stage' } }, 'filter.updatedFields'],
    ['unknown field', { id: 'wh_other' }, 'id'],
    ['secret field', { secret: 'whsec_x' }, 'secret'],
  ])('rejects %s with 400', async (_name, body, field) => {
    const created = await createWebhook();
    const response = await asA({ method: 'PATCH', path: `/webhooks/${created.id}`, body });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('answers 404 for an unknown id', async () => {
    const response = await asA({
      method: 'PATCH',
      path: '/webhooks/wh_doesNotExist0000000',
      body: { description: 'x' },
    });
    expect(response.status).toBe(404);
  });

  it('retries on a concurrent version change, and concurrent PATCHes all land', async () => {
    const created = await createWebhook();
    const responses = await Promise.all(
      ['a', 'b', 'c'].map((description) =>
        asA({ method: 'PATCH', path: `/webhooks/${created.id}`, body: { description } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const stored = await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true });
    expect(stored?.version).toBe(1 + statuses.filter((s) => s === 200).length);
  });
});

describe('DELETE /webhooks/{id}', () => {
  it('deletes the webhook and its sealed secrets with it, and answers 404 afterwards', async () => {
    const created = await createWebhook();
    const response = await asA({ method: 'DELETE', path: `/webhooks/${created.id}` });
    expect(response.status).toBe(204);
    expect(response.rawBody ?? '').toBe('');
    expect((await asA({ method: 'GET', path: `/webhooks/${created.id}` })).status).toBe(404);
    expect((await asA({ method: 'DELETE', path: `/webhooks/${created.id}` })).status).toBe(404);
    // Envelope mode: the row was the only copy; Secrets Manager never held this webhook's secret.
    expect(await api.webhookStore.get(WORKSPACE_A, created.id, { consistent: true })).toBeUndefined();
    expect(api.secretsLocal.allSecretStrings()).not.toContain(created.secret);
    // (Per-webhook mode schedules its secret's deletion: webhookSecrets.test.ts.)
  });
});
