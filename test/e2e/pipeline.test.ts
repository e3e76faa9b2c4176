import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRuntimeProcess,
  runRepoScript,
  startLocalRuntimeProcess,
  stopAndExpectNoOrphans,
} from '../helpers/e2eLocalRuntime';
import {
  type ReceivedRequest,
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';

interface CreatedWebhook {
  id: string;
  secret: string;
  operations: string[];
}

const payloadOf = (request: ReceivedRequest) =>
  JSON.parse(request.body) as {
    event: string;
    data: Record<string, unknown>;
    updatedFields?: string[];
    webhookId: string;
  };

/** Both schemes checked by the domain verifiers (in the receiver) and by the Standard Webhooks reference library. */
function expectVerified(request: ReceivedRequest, secret: string) {
  expect(request.verified).toBe(true);
  expect(() =>
    new StandardWebhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    }),
  ).not.toThrow();
}

describe('npm start, end to end: CRM writes become signed webhooks', () => {
  let runtime: LocalRuntimeProcess;
  const receivers: SignatureVerifyingReceiver[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntimeProcess();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    // No process may outlive the suite: neither the runtime nor DynamoDB Local's Java process.
    if (runtime) await stopAndExpectNoOrphans(runtime);
  }, 30_000);

  async function webhookWithReceiver(body: Record<string, unknown>) {
    const receiver = await startSignatureVerifyingReceiver();
    receivers.push(receiver);
    const created = await runtime.api<CreatedWebhook>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
      ...body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    receiver.setSecrets([created.body.secret]);
    return { webhook: created.body, receiver };
  }

  it('prints the API URL, the API key and the DynamoDB endpoint', () => {
    const output = runtime.output();
    expect(output).toContain(runtime.apiUrl);
    expect(output).toContain(runtime.apiKey);
    expect(output).toContain(runtime.dynamoDbEndpoint);
  });

  it('with the default latency preset (realtime), delivers a lone write after a pause within 1 s', async () => {
    const { receiver } = await webhookWithReceiver({ operations: ['note.created'] });
    const writeNote = (id: string) =>
      runtime.dynamo.send(
        new PutItemCommand({ TableName: 'note', Item: { id: { S: id }, body: { S: 'hi' } } }),
      );
    // The first delivery of a webhook warms the caches and the connection to the receiver.
    await writeNote('e2e-lone-warmup');
    await receiver.waitForRequests(1, 15_000);
    // Longer than the idle back-off the stream poller used to have (up to 1 s between polls).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const writtenAt = Date.now();
    await writeNote('e2e-lone');
    const [, lone] = await receiver.waitForRequests(2, 15_000);
    expect(payloadOf(lone!).data.id).toBe('e2e-lone');
    expect(lone!.verified).toBe(true);
    // A generous bound for a loaded machine; the tight figures are in `npm run bench -- --only latency`.
    expect(lone!.receivedAt - writtenAt).toBeLessThan(1_000);
  });

  it('delivers a person’s whole life cycle in order to person.*, and company.created only to *.*', async () => {
    const people = await webhookWithReceiver({ operations: ['person.*'] });
    const everything = await webhookWithReceiver({});
    const table = 'person';
    const key = { id: { S: 'e2e-p1' } };
    let expected = 0;
    const step = async (write: () => Promise<unknown>) => {
      await write();
      expected++;
      // Each change is awaited before the next: SQS (standard) does not promise order between jobs.
      await people.receiver.waitForRequests(expected, 15_000);
    };

    await step(() =>
      runtime.dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...key,
            firstName: { S: 'Ada' },
            lastName: { S: 'Byron' },
            score: { N: '12345678901234567890.5' },
          },
        }),
      ),
    );
    await step(() =>
      runtime.dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET lastName = :l',
          ExpressionAttributeValues: { ':l': { S: 'Lovelace' } },
        }),
      ),
    );
    const setDeletedAt = () =>
      runtime.dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET deletedAt = :d',
          ExpressionAttributeValues: { ':d': { S: new Date().toISOString() } },
        }),
      );
    await step(setDeletedAt);
    await step(() =>
      runtime.dynamo.send(
        new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'REMOVE deletedAt' }),
      ),
    );
    await step(setDeletedAt);
    await step(() => runtime.dynamo.send(new DeleteItemCommand({ TableName: table, Key: key })));

    await runtime.dynamo.send(
      new PutItemCommand({
        TableName: 'company',
        Item: { id: { S: 'e2e-c1' }, name: { S: 'Analytical Engines' } },
      }),
    );
    const atEverything = await everything.receiver.waitForRequests(7, 15_000);
    expect(atEverything.map((r) => payloadOf(r).event).sort()).toEqual(
      [
        'company.created',
        'person.created',
        'person.deleted',
        'person.deleted',
        'person.destroyed',
        'person.restored',
        'person.updated',
      ].sort(),
    );
    // Let any stray company event reach the person.* receiver before counting what it got.
    await new Promise((r) => setTimeout(r, 1_000));

    const atPeople = people.receiver.requests;
    expect(atPeople.map((r) => payloadOf(r).event)).toEqual([
      'person.created',
      'person.updated',
      'person.deleted',
      'person.restored',
      'person.deleted',
      'person.destroyed',
    ]);
    for (const request of atPeople) {
      expectVerified(request, people.webhook.secret);
      expect(payloadOf(request).webhookId).toBe(people.webhook.id);
      expect(payloadOf(request).data.id).toBe('e2e-p1');
    }
    for (const request of atEverything) expectVerified(request, everything.webhook.secret);
    expect(payloadOf(atPeople[1]!).updatedFields).toEqual(['lastName']);
    expect(payloadOf(atPeople[1]!).data.lastName).toBe('Lovelace');
    // Numbers keep their precision end to end.
    expect(atPeople[0]!.body).toContain('12345678901234567890.5');
    // Every delivery has its own stable id.
    expect(new Set(atPeople.map((r) => r.headers['webhook-id'])).size).toBe(6);
  }, 60_000);

  it('field filters: updatedFields gets only the updates touching its fields, where only matching records', async () => {
    const stageUpdates = await webhookWithReceiver({
      operations: ['opportunity.updated'],
      filter: { updatedFields: ['stage'] },
    });
    const closedDeals = await webhookWithReceiver({
      operations: ['opportunity.created'],
      filter: { where: { stage: ['WON', 'LOST'] } },
    });
    const control = await webhookWithReceiver({ operations: ['opportunity.*'] });
    const put = (id: string, stage: string) =>
      runtime.dynamo.send(
        new PutItemCommand({
          TableName: 'opportunity',
          Item: { id: { S: id }, stage: { S: stage }, amount: { N: '100' } },
        }),
      );
    const set = (id: string, field: string, value: { S: string } | { N: string }) =>
      runtime.dynamo.send(
        new UpdateItemCommand({
          TableName: 'opportunity',
          Key: { id: { S: id } },
          UpdateExpression: 'SET #f = :v',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':v': value },
        }),
      );

    await put('e2e-o1', 'OPEN');
    await put('e2e-o2', 'WON');
    await set('e2e-o1', 'amount', { N: '250' });
    await set('e2e-o1', 'stage', { S: 'LOST' });
    // The unfiltered control webhook sees all four; jobs of one change are enqueued together.
    await control.receiver.waitForRequests(4, 20_000);
    await new Promise((r) => setTimeout(r, 1_500));

    const updates = stageUpdates.receiver.requests.map(payloadOf);
    expect(updates.map((p) => [p.event, p.data.id, p.updatedFields])).toEqual([
      ['opportunity.updated', 'e2e-o1', ['stage']],
    ]);
    const created = closedDeals.receiver.requests.map(payloadOf);
    expect(created.map((p) => [p.event, p.data.id, p.data.stage])).toEqual([
      ['opportunity.created', 'e2e-o2', 'WON'],
    ]);
    for (const request of [...stageUpdates.receiver.requests, ...closedDeals.receiver.requests]) {
      expectVerified(
        request,
        request === stageUpdates.receiver.requests[0]
          ? stageUpdates.webhook.secret
          : closedDeals.webhook.secret,
      );
    }
    const shown = await runtime.api<{ filter: unknown }>('GET', `/webhooks/${closedDeals.webhook.id}`);
    expect(shown.body.filter).toEqual({ where: { stage: ['WON', 'LOST'] } });
  }, 60_000);

  it('custom headers: sent on every delivery, signature untouched, values never shown by GET', async () => {
    const token = 'Bearer e2e-receiver-token-7d2e';
    const { webhook, receiver } = await webhookWithReceiver({
      operations: ['task.created'],
      headers: { Authorization: token, 'X-Tenant': 'acme' },
    });
    await runtime.dynamo.send(new PutItemCommand({ TableName: 'task', Item: { id: { S: 'e2e-t1' } } }));
    const [request] = await receiver.waitForRequests(1, 20_000);
    expect(request!.headers.authorization).toBe(token);
    expect(request!.headers['x-tenant']).toBe('acme');
    expectVerified(request!, webhook.secret);

    const shown = await runtime.api<{ headers: string[] }>('GET', `/webhooks/${webhook.id}`);
    expect(shown.body.headers).toEqual(['Authorization', 'X-Tenant']);
    expect(JSON.stringify(shown.body)).not.toContain('e2e-receiver-token');
    expect(runtime.output()).not.toContain('e2e-receiver-token');
  }, 60_000);

  it('signs with both secrets during a rotation, and the test event arrives', async () => {
    const { webhook, receiver } = await webhookWithReceiver({ operations: ['note.created'] });
    const rotated = await runtime.api<{ secret: string; previousSecretExpiresAt: string }>(
      'POST',
      `/webhooks/${webhook.id}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(webhook.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    receiver.setSecrets([rotated.body.secret, webhook.secret]);

    const test = await runtime.api('POST', `/webhooks/${webhook.id}/test`);
    expect(test.status).toBe(202);
    await runtime.dynamo.send(new PutItemCommand({ TableName: 'note', Item: { id: { S: 'e2e-n1' } } }));
    const [first, second] = await receiver.waitForRequests(2, 15_000);
    const byEvent = new Map([first!, second!].map((r) => [payloadOf(r).event, r]));
    expect([...byEvent.keys()].sort()).toEqual(['note.created', 'webhook.test']);

    for (const request of byEvent.values()) {
      const signatures = String(request.headers['webhook-signature']).split(' ');
      expect(signatures).toHaveLength(2);
      // Each secret alone verifies the Standard Webhooks signature; the Twenty header uses the new one.
      expect(request.standardValidFor).toEqual([true, true]);
      expect(request.twentyValidFor).toEqual([true, false]);
      expectVerified(request, rotated.body.secret);
      expectVerified(request, webhook.secret);
    }
  }, 30_000);

  it('npm run demo walks a newcomer through verified events against it, with no key to copy', async () => {
    const result = await runRepoScript('infra/local/demo.ts', {
      PORT: new URL(runtime.apiUrl).port,
      DYNAMODB_PORT: new URL(runtime.dynamoDbEndpoint).port,
      WEBHOOKS_API_KEY: '',
    });
    expect(result.code, `${result.output}\n--- npm start output ---\n${runtime.output()}`).toBe(0);
    expect(result.output).toContain('Using a temporary API key');
    for (const event of ['person.created', 'person.updated', 'person.deleted', 'person.destroyed']) {
      expect(result.output).toMatch(new RegExp(`<- ${event.replace('.', '\\.')}\\s+verified`));
    }
    expect(result.output).toContain('updatedFields: lastName');
    expect(result.output).not.toContain('INVALID');
  }, 40_000);

  it('npm run demo uses the key it is given', async () => {
    const result = await runRepoScript('infra/local/demo.ts', {
      PORT: new URL(runtime.apiUrl).port,
      DYNAMODB_PORT: new URL(runtime.dynamoDbEndpoint).port,
      WEBHOOKS_API_KEY: runtime.apiKey,
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain('temporary API key');
    expect(result.output).toContain('Every event arrived and verified.');
  }, 40_000);
});
