/**
 * `npm run demo`: a guided walk-through against a running `npm start`. It starts a receiver that
 * verifies both signature schemes, points a webhook at it, writes a person to DynamoDB, updates,
 * soft-deletes and deletes it, and prints every verified event as it arrives.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { verifyStandardWebhooksSignature, verifyTwentySignature } from '../../shared/domain/signing';
import { LOCAL_TABLE_NAMES, LOCAL_WORKSPACE_ID } from './localNames';

// Node 20 is supported here; the SDK's notice about its future Node 22 requirement would only clutter the demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const apiUrl = `http://127.0.0.1:${process.env.PORT || '3000'}`;
const dynamoDbEndpoint = `http://127.0.0.1:${process.env.DYNAMODB_PORT || '8000'}`;
const givenApiKey = process.argv[2] ?? process.env.WEBHOOKS_API_KEY;
let apiKey = givenApiKey ?? '';
const WAIT_MS = Number(process.env.DEMO_TIMEOUT_MS || 20_000);

class DemoError extends Error {
  override name = 'DemoError';
}

interface Received {
  event: string;
  recordId: unknown;
  updatedFields?: string[];
  twentyVerified: boolean;
  standardVerified: boolean;
  webhookId: string;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A webhook receiver as a user would write one: verify the raw body first, then parse it. */
async function startReceiver(secret: () => string, onEvent: (event: Received) => void): Promise<Server> {
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const twentyVerified = verifyTwentySignature({
        secrets: [secret()],
        body,
        timestampHeader: request.headers['x-twenty-webhook-timestamp'] as string | undefined,
        signatureHeader: request.headers['x-twenty-webhook-signature'] as string | undefined,
      });
      const standardVerified = verifyStandardWebhooksSignature({
        secrets: [secret()],
        headers: request.headers,
        body,
      });
      if (!twentyVerified || !standardVerified) {
        response.writeHead(401).end('bad signature');
      } else {
        response.writeHead(204).end();
      }
      const payload = JSON.parse(body) as {
        event: string;
        data?: { id?: unknown };
        updatedFields?: string[];
      };
      onEvent({
        event: payload.event,
        recordId: payload.data?.id,
        ...(payload.updatedFields ? { updatedFields: payload.updatedFields } : {}),
        twentyVerified,
        standardVerified,
        webhookId: String(request.headers['webhook-id']),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new DemoError(
      `Nothing answers at ${apiUrl}. Start the local runtime first, in another terminal:\n` +
        '  npm start\n' +
        'then run npm run demo again (PORT and DYNAMODB_PORT must match the ones npm start uses).',
    );
  }
  const text = await response.text();
  if (response.status === 401) {
    throw new DemoError(
      `The API at ${apiUrl} rejected the API key. Pass the key npm start printed, or none at all:\n` +
        '  WEBHOOKS_API_KEY=<key from npm start> npm run demo   (or: npm run demo -- <key>)',
    );
  }
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function main(): Promise<void> {
  const personId = `demo-${randomUUID().slice(0, 8)}`;
  let secret = '';
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const receiver = await startReceiver(
    () => secret,
    (event) => {
      // The webhook listens to person.*: other people written meanwhile are not part of the demo.
      if (event.recordId !== personId) return;
      received.push(event);
      const verdict =
        event.twentyVerified && event.standardVerified
          ? 'verified (X-Twenty-Webhook-Signature and webhook-signature)'
          : 'SIGNATURE INVALID';
      const fields = event.updatedFields ? `  updatedFields: ${event.updatedFields.join(', ')}` : '';
      console.log(`  <- ${event.event.padEnd(16)} ${verdict}${fields}`);
      for (const wake of waiters.splice(0)) wake();
    },
  );
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/crm`;
  const dynamo = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const apiKeys = new ApiKeyStore(dynamo, LOCAL_TABLE_NAMES.apiKeys);
  let temporaryKeyId: string | undefined;
  let webhookId: string | undefined;

  const expectEvent = async (event: string) => {
    const deadline = Date.now() + WAIT_MS;
    while (!received.some((r) => r.event === event)) {
      if (Date.now() > deadline) {
        throw new DemoError(
          `${event} did not arrive within ${WAIT_MS / 1000} s. Is npm start still running? Its output shows errors, if any.`,
        );
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
    const got = received.find((r) => r.event === event)!;
    if (!got.twentyVerified || !got.standardVerified)
      throw new DemoError(`${event} arrived with an invalid signature`);
    received.splice(received.indexOf(got), 1);
  };

  try {
    if (!givenApiKey) {
      // Locally the API keys table is right there: register a key for the demo instead of asking for one.
      try {
        const created = await apiKeys.create(LOCAL_WORKSPACE_ID, { name: 'npm run demo' });
        apiKey = created.key;
        temporaryKeyId = created.keyId;
      } catch {
        throw new DemoError(
          `Cannot reach DynamoDB Local at ${dynamoDbEndpoint}. Start the local runtime first, in another terminal:\n` +
            '  npm start\n' +
            'then run npm run demo again (with the same PORT and DYNAMODB_PORT, if you changed them).',
        );
      }
      console.log(
        `Using a temporary API key for workspace "${LOCAL_WORKSPACE_ID}" (pass WEBHOOKS_API_KEY to use yours).`,
      );
    }
    console.log(`Receiver listening on ${receiverUrl}`);
    const created = await api<{ id: string; secret: string; detail?: string }>('POST', '/webhooks', {
      targetUrl: receiverUrl,
      operations: ['person.*'],
      description: 'npm run demo',
    });
    if (created.status !== 201) {
      throw new DemoError(`Creating the webhook failed (${created.status}): ${JSON.stringify(created.body)}`);
    }
    webhookId = created.body.id;
    secret = created.body.secret;
    console.log(`Created webhook ${webhookId} for person.* (its signing secret is shown once: ${secret})\n`);

    const key = { id: { S: personId } };
    console.log(`-> put person ${personId} (Ada Byron)`);
    await dynamo.send(
      new PutItemCommand({
        TableName: 'person',
        Item: { ...key, firstName: { S: 'Ada' }, lastName: { S: 'Byron' }, email: { S: 'ada@example.com' } },
      }),
    );
    await expectEvent('person.created');

    console.log('-> update lastName to Lovelace');
    await dynamo.send(
      new UpdateItemCommand({
        TableName: 'person',
        Key: key,
        UpdateExpression: 'SET lastName = :l',
        ExpressionAttributeValues: { ':l': { S: 'Lovelace' } },
      }),
    );
    await expectEvent('person.updated');

    console.log('-> soft-delete (set deletedAt)');
    await dynamo.send(
      new UpdateItemCommand({
        TableName: 'person',
        Key: key,
        UpdateExpression: 'SET deletedAt = :d',
        ExpressionAttributeValues: { ':d': { S: new Date().toISOString() } },
      }),
    );
    await expectEvent('person.deleted');

    console.log('-> delete the item');
    await dynamo.send(new DeleteItemCommand({ TableName: 'person', Key: key }));
    await expectEvent('person.destroyed');

    const attempts = await api<{ data: unknown[] }>('GET', `/webhooks/${webhookId}/deliveries`);
    console.log(`\nGET /webhooks/${webhookId}/deliveries lists ${attempts.body.data.length} attempts.`);
    console.log('Every event arrived and verified. Done.');
  } finally {
    if (webhookId) await api('DELETE', `/webhooks/${webhookId}`).catch(() => undefined);
    if (temporaryKeyId) await apiKeys.revoke(temporaryKeyId).catch(() => undefined);
    dynamo.destroy();
    receiver.closeAllConnections();
    receiver.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `\n${error instanceof DemoError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(1);
  },
);
