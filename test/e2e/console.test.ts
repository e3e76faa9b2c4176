import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntimeProcess, startLocalRuntimeProcess } from '../helpers/e2eLocalRuntime';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';

/*
 * The web console in a real headless Chromium (Debian's `chromium`; `.ci/run` installs it) against the
 * local stack started as `npm start` starts it. One browser and one stack for the whole file; the steps
 * run in order on one page, as a user would click through them.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for people (docs/console.md embeds copies); git-ignored. */
const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'console');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BUDGET_BYTES = 60 * 1024;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

describe('web console in a browser', () => {
  let runtime: LocalRuntimeProcess;
  let receiver: SignatureVerifyingReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  /** Answers ≥ 400 the steps provoke on purpose, e.g. `POST /webhooks 400`. */
  const expectedErrorAnswers: string[] = [];
  const seriousViolations: string[] = [];
  let firstSecret = '';
  let webhookId = '';

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    [runtime, receiver] = await Promise.all([startLocalRuntimeProcess(), startSignatureVerifyingReceiver()]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Without the background-networking flags Chromium keeps calling Google hosts this machine cannot reach.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // Fail a step with Playwright's own message (what it waited for) before vitest's timeout.
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) {
        failedRequests.push(
          `${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`,
        );
      }
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await runtime?.stop();
  }, 60_000);

  /** Full page, but for dialogs: their backdrop covers the viewport only. */
  async function screenshot(name: string, fullPage = true) {
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
  }

  /** axe-core in the page; serious and critical violations are collected and must stay empty. */
  async function checkAccessibility(view: string) {
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: unknown[] }> } }
      ).axe;
      return (await axe.run({ resultTypes: ['violations'] })).violations;
    });
    for (const violation of violations as AxeViolation[]) {
      if (violation.impact === 'serious' || violation.impact === 'critical') {
        seriousViolations.push(
          `${view}: ${violation.id} (${violation.impact}) ${violation.help} at ${JSON.stringify(violation.nodes.map((n) => n.target))}`,
        );
      }
    }
  }

  it('serves the page with a strict CSP, X-Frame-Options DENY, and long-cached hashed assets within budget', async () => {
    const answer = await fetch(`${runtime.apiUrl}/console`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    const html = await answer.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/\/console\/assets\/([\w.-]+)/g)].map((m) => m[0]);
    expect(assets).toHaveLength(2);
    let compressed = 0;
    for (const asset of assets) {
      const file = await fetch(`${runtime.apiUrl}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(file.status).toBe(200);
      expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(file.headers.get('content-encoding')).toBe('gzip');
      compressed += Number(file.headers.get('content-length'));
      await file.arrayBuffer();
    }
    expect(compressed).toBeGreaterThan(0);
    expect(compressed).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('signs in with a pasted API key kept in sessionStorage only', async () => {
    await page.goto(`${runtime.apiUrl}/console`);
    await page.getByRole('heading', { name: 'Sign in to the webhooks console' }).waitFor();
    await checkAccessibility('sign-in');
    await page.getByLabel('API key').fill(runtime.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText('No webhooks yet').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('crm-webhooks.apiKey')")).toBe(runtime.apiKey);
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(page.url()).not.toContain(runtime.apiKey);
    await checkAccessibility('empty list');
  });

  it('shows a validation error from the API next to the field it names', async () => {
    await page.getByRole('button', { name: 'Create webhook' }).first().click();
    await page.getByRole('heading', { name: 'Create webhook' }).waitFor();
    await page.getByLabel('Target URL').fill('ftp://example.com/hook');
    expectedErrorAnswers.push('POST /webhooks 400');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const error = page.locator('#field-targetUrl-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/http/i);
    const field = page.getByLabel('Target URL');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('field-targetUrl-error');
    expect(await page.evaluate('document.activeElement?.id')).toBe('field-targetUrl');
    await checkAccessibility('create form with an error');
  });

  it('creates a webhook, shows its secret once, and lists it', async () => {
    await page.getByLabel('Target URL').fill(`${receiver.url}/hook`);
    await page.getByLabel('All events (*.*)').uncheck();
    await page.getByLabel('person.created', { exact: true }).check();
    await page.getByLabel('company.*', { exact: true }).check();
    await page.getByLabel('Description (optional)').fill('Console test');
    await page.getByLabel('Twenty (the body Twenty CRM itself sends)').check();
    await screenshot('create-form');
    await page.getByRole('button', { name: 'Create webhook' }).click();

    const dialog = page.getByRole('dialog', { name: 'Webhook created: copy its signing secret' });
    await dialog.waitFor();
    firstSecret = await dialog.getByLabel('Signing secret').inputValue();
    expect(firstSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(await dialog.textContent()).toContain('shown only once');
    await checkAccessibility('secret dialog');
    await screenshot('secret-dialog', false);
    await dialog.getByRole('button', { name: 'I have stored the secret' }).click();

    const row = page.getByRole('row').filter({ hasText: `${receiver.url}/hook` });
    await row.waitFor();
    expect(await row.textContent()).toContain('person.created, company.*');
    expect(await row.textContent()).toContain('twenty');
    await row.getByText('none yet').waitFor();
    // Shown once: the secret is nowhere on the page any more.
    expect(await page.content()).not.toContain(firstSecret);

    const list = await runtime.api<{ data: { id: string; operations: string[]; payloadFormat: string }[] }>(
      'GET',
      '/webhooks',
    );
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      operations: ['person.created', 'company.*'],
      payloadFormat: 'twenty',
    });
    webhookId = list.body.data[0]!.id;
    await checkAccessibility('list');
    await screenshot('list');

    // Down to 375 px wide: nothing overflows sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await screenshot('list-375px');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('sends a test event and shows its delivery in the log without a reload', async () => {
    receiver.setSecrets([firstSecret]);
    await page.getByRole('button', { name: `Open webhook ${receiver.url}/hook` }).click();
    await page.getByRole('heading', { name: /^Webhook / }).waitFor();
    await page.getByText('No deliveries yet').waitFor();
    await page.evaluate('window.notReloaded = true');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const [request] = await receiver.waitForRequests(1, 30_000);
    expect(request?.verified).toBe(true);
    const logRow = page.getByRole('row').filter({ hasText: 'webhook.test' });
    await logRow.waitFor({ timeout: 30_000 });
    expect(await logRow.textContent()).toContain('delivered');
    expect(await logRow.textContent()).toContain('200');
    expect(await logRow.textContent()).toContain('ok');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await checkAccessibility('webhook with delivery log');
    await screenshot('delivery-log');
  });

  it('disables and re-enables the webhook', async () => {
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('disabled by a user').waitFor();
    expect((await runtime.api<{ status: string }>('GET', `/webhooks/${webhookId}`)).body.status).toBe(
      'disabled',
    );
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    expect((await runtime.api<{ status: string }>('GET', `/webhooks/${webhookId}`)).body.status).toBe(
      'active',
    );
  });

  it('sets the delivery limits, names a bad one next to its field, and clears them', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit webhook' }).waitFor();
    await page.getByLabel('Rate limit (deliveries per second, optional)').fill('2.5');
    await page.getByLabel('Concurrent deliveries (optional)').fill('0');
    expectedErrorAnswers.push(`PATCH /webhooks/${webhookId} 400`);
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const error = page.locator('#field-maxConcurrentDeliveries-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('must be a whole number from 1 to 100');
    expect(await page.evaluate('document.activeElement?.id')).toBe('field-maxConcurrentDeliveries');

    await page.getByLabel('Concurrent deliveries (optional)').fill('3');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByText('2.5 deliveries per second').waitFor();
    await page.getByText('at most 3').waitFor();
    const limited = await runtime.api<Record<string, unknown>>('GET', `/webhooks/${webhookId}`);
    expect(limited.body).toMatchObject({ rateLimit: 2.5, maxConcurrentDeliveries: 3 });

    // Emptying the fields removes the limits (PATCH null), rather than keeping the old values.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit webhook' }).waitFor();
    expect(await page.getByLabel('Rate limit (deliveries per second, optional)').inputValue()).toBe('2.5');
    await page.getByLabel('Rate limit (deliveries per second, optional)').fill('');
    await page.getByLabel('Concurrent deliveries (optional)').fill('');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByRole('heading', { name: /^Webhook / }).waitFor();
    const cleared = await runtime.api<Record<string, unknown>>('GET', `/webhooks/${webhookId}`);
    expect(cleared.body).not.toHaveProperty('rateLimit');
    expect(cleared.body).not.toHaveProperty('maxConcurrentDeliveries');
  });

  it('rotates the secret after confirmation and shows the new one once', async () => {
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
    await confirm.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New signing secret' });
    await dialog.waitFor();
    const secret = await dialog.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(firstSecret);
    await dialog.getByRole('button', { name: 'I have stored the secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    await page.getByText('Previous secret valid until').waitFor();
  });

  it('deletes the webhook after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByText('No webhooks yet').waitFor();
    expect((await runtime.api('GET', `/webhooks/${webhookId}`)).status).toBe(404);
  });

  it('signs out and forgets the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the webhooks console' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the webhooks console' }).waitFor();
    expect(await page.content()).not.toContain(runtime.apiKey);
  });

  it('had no console errors, no failed requests and no serious accessibility violations', () => {
    expect(failedRequests).toEqual(expectedErrorAnswers);
    // Chromium logs every answer ≥ 400 as a console error, the provoked ones included.
    const unexpected = consoleErrors.filter(
      (text) =>
        !/^Failed to load resource: the server responded with a status of 400 .*\/webhooks(\/wh_[\w-]+)?\)$/.test(
          text,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(seriousViolations).toEqual([]);
  });
});
