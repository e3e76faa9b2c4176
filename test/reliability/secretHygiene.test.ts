import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { type LocalRuntimeProcess, startLocalRuntimeProcess } from '../helpers/e2eLocalRuntime';
import {
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import { printFigures } from './deliveryLedger';
import { LOCAL_TABLE_NAMES, waitUntil } from './reliabilityRuntime';

interface Created {
  id: string;
  secret: string;
}

/** The forms a leaked signing secret could take: as shown, its key bytes in base64, hex and base64url. */
function secretForms(secret: string): string[] {
  const encoded = secret.replace(/^whsec_/, '');
  const bytes = Buffer.from(encoded, 'base64');
  return [secret, encoded, bytes.toString('hex'), bytes.toString('base64url')];
}

describe('secret hygiene: a full flow under npm start with DEBUG logging leaks no secret or API key', () => {
  let runtime: LocalRuntimeProcess;
  const receivers: SignatureVerifyingReceiver[] = [];
  /** Every API answer except the two that return a secret by design (create, rotate). */
  const scannedResponses: string[] = [];
  const secrets: string[] = [];
  let secondKey: string;

  beforeAll(async () => {
    runtime = await startLocalRuntimeProcess({
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      RETRY_DELAYS_SECONDS: '1,1',
      MAX_ATTEMPTS: '2',
    });
    // A key registered out of band (like `npm run api-key`): unlike the local key, it is never printed.
    secondKey = (
      await new ApiKeyStore(runtime.dynamo, LOCAL_TABLE_NAMES.apiKeys).create('default', { name: 'hygiene' })
    ).key;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await runtime?.stop();
  }, 30_000);

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { returnsSecret?: boolean; key?: string } = {},
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${runtime.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.key ?? secondKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const headers = JSON.stringify([...response.headers]);
    if (!options.returnsSecret)
      scannedResponses.push(`${method} ${path} ${response.status} ${headers} ${text}`);
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async function webhook(receiver: SignatureVerifyingReceiver, operations?: string[]): Promise<Created> {
    const created = await call<Created>(
      'POST',
      '/webhooks',
      { targetUrl: `${receiver.url}/hook`, ...(operations ? { operations } : {}) },
      { returnsSecret: true },
    );
    expect(created.status).toBe(201);
    secrets.push(created.body.secret);
    receiver.setSecrets([created.body.secret]);
    return created.body;
  }

  it('creates, delivers, fails, dead-letters, rotates, redrives and deletes', async () => {
    const ok = await startSignatureVerifyingReceiver();
    const failing = await startSignatureVerifyingReceiver({
      defaultResponse: { status: 500, body: 'internal error' },
    });
    const gone = await startSignatureVerifyingReceiver({ defaultResponse: { status: 410 } });
    receivers.push(ok, failing, gone);
    const okHook = await webhook(ok);
    const failingHook = await webhook(failing, ['person.*']);
    const goneHook = await webhook(gone, ['company.*']);
    await new Promise((r) => setTimeout(r, 1_500));

    const key = { id: { S: 'hygiene-1' } };
    await runtime.dynamo.send(
      new PutItemCommand({ TableName: 'person', Item: { ...key, firstName: { S: 'Grace' } } }),
    );
    await runtime.dynamo.send(
      new UpdateItemCommand({
        TableName: 'person',
        Key: key,
        UpdateExpression: 'SET lastName = :l',
        ExpressionAttributeValues: { ':l': { S: 'Hopper' } },
      }),
    );
    await runtime.dynamo.send(new PutItemCommand({ TableName: 'company', Item: { id: { S: 'hygiene-c' } } }));
    await ok.waitForRequests(3, 15_000);
    await gone.waitForRequests(1, 15_000);
    // Two attempts each, then the DLQ.
    await failing.waitForRequests(4, 20_000);

    const rotated = await call<{ secret: string }>(
      'POST',
      `/webhooks/${okHook.id}/rotate-secret`,
      undefined,
      {
        returnsSecret: true,
      },
    );
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.secret);
    ok.setSecrets([rotated.body.secret, okHook.secret]);
    await new Promise((r) => setTimeout(r, 1_500));
    await runtime.dynamo.send(new DeleteItemCommand({ TableName: 'person', Key: key }));
    await ok.waitForRequests(4, 15_000);
    expect(ok.requests.every((r) => r.verified)).toBe(true);

    expect((await call('POST', `/webhooks/${okHook.id}/test`)).status).toBe(202);
    await ok.waitForRequests(5, 15_000);
    for (const id of [okHook.id, failingHook.id, goneHook.id]) {
      expect((await call('GET', `/webhooks/${id}`)).status).toBe(200);
      expect((await call('GET', `/webhooks/${id}/deliveries`)).status).toBe(200);
    }
    expect((await call('GET', '/webhooks')).status).toBe(200);
    expect(
      (await call('PATCH', `/webhooks/${failingHook.id}`, { description: 'still failing' })).status,
    ).toBe(200);
    expect((await call('PATCH', `/webhooks/${failingHook.id}`, { secret: 'nope' })).status).toBe(400);
    expect((await call('PATCH', `/webhooks/${goneHook.id}`, { status: 'active' })).status).toBe(200);
    expect((await call('POST', `/webhooks/${failingHook.id}/redrive`)).status).toBe(202);
    await failing.waitForRequests(6, 20_000);
    expect((await call('GET', '/webhooks/wh_doesnotexist000000000')).status).toBe(404);
    expect((await call('POST', '/webhooks', { targetUrl: 'ftp://x' })).status).toBe(400);
    expect((await call('GET', '/webhooks', undefined, { key: 'not-a-key' })).status).toBe(401);
    expect((await call('DELETE', `/webhooks/${goneHook.id}`)).status).toBe(204);
    expect((await call('GET', '/openapi.json')).status).toBe(200);
    // Let the last attempts' logs reach the output.
    await waitUntil(
      () => runtime.output(),
      (out) => out.includes('dead-letter'),
      10_000,
      'dead-letter log line',
    );
  }, 120_000);

  it('finds no secret, in any form, in any log line or scanned API answer, and no API key after the banner', () => {
    const output = runtime.output();
    // The banner prints the local key on purpose; everything after it must not.
    const bannerEnd = output.indexOf('Press Ctrl+C to stop.');
    expect(bannerEnd).toBeGreaterThan(0);
    const afterBanner = output.slice(bannerEnd);
    const logLines = output.split('\n').filter((line) => line.startsWith('{'));
    const haystacks = [
      ...output.split('\n').map((line, i) => ({ where: `output line ${i}`, text: line })),
      ...scannedResponses.map((text, i) => ({ where: `API answer ${i}`, text })),
    ];
    const hits: string[] = [];
    for (const secret of secrets) {
      for (const form of secretForms(secret)) {
        for (const { where, text } of haystacks) {
          if (text.includes(form)) hits.push(`${where} holds a form of a signing secret`);
        }
      }
    }
    for (const { where, text } of haystacks) {
      if (text.includes(secondKey)) hits.push(`${where} holds an API key`);
    }
    for (const response of scannedResponses) {
      if (response.includes(runtime.apiKey)) hits.push('an API answer holds the local API key');
    }
    if (afterBanner.includes(runtime.apiKey))
      hits.push('the output after the banner holds the local API key');
    printFigures('secret hygiene', {
      secrets: secrets.length,
      outputLines: output.split('\n').length,
      jsonLogLines: logLines.length,
      apiAnswersScanned: scannedResponses.length,
      hits: hits.length,
    });
    // The flow did log (warnings for failures and dead letters at least), so there was something to scan.
    expect(logLines.length).toBeGreaterThan(3);
    expect(hits).toEqual([]);
  });
});
