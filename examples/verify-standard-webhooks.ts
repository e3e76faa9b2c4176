/**
 * A webhook receiver that verifies the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`).
 *
 *   WEBHOOK_SECRET=whsec_... PORT=4001 npx tsx examples/verify-standard-webhooks.ts
 *
 * It uses this project's exported `verifyStandardWebhooksSignature`; any Standard Webhooks library
 * works the same way, e.g. npm `standardwebhooks`: `new Webhook(secret).verify(rawBody, headers)`.
 * During a secret rotation pass both secrets: a request is accepted when any signature matches.
 * `webhook-id` is the same on every retry of a delivery: use it to drop duplicates.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { verifyStandardWebhooksSignature } from '../shared/domain/signing';

const MAX_BODY_BYTES = 1024 * 1024;

async function readRawBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createStandardWebhooksReceiver({
  secrets,
  onEvent,
}: {
  /** Newest first; keep the previous one until its rotation window ends. */
  secrets: string[];
  onEvent: (payload: unknown, deliveryId: string) => void | Promise<void>;
}): Server {
  const seen = new Set<string>(); // use a shared store with a TTL in production
  return createServer(async (request, response) => {
    const rawBody = await readRawBody(request);
    if (rawBody === undefined) {
      response.writeHead(413).end();
      return;
    }
    if (!verifyStandardWebhooksSignature({ secrets, headers: request.headers, body: rawBody })) {
      response.writeHead(401).end();
      return;
    }
    const deliveryId = request.headers['webhook-id'] as string;
    if (!seen.has(deliveryId)) {
      seen.add(deliveryId);
      await onEvent(JSON.parse(rawBody.toString('utf8')), deliveryId);
    }
    response.writeHead(204).end();
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secrets = (process.env.WEBHOOK_SECRET ?? '').split(',').filter(Boolean);
  if (secrets.length === 0) throw new Error('set WEBHOOK_SECRET (comma-separated during a rotation)');
  const port = Number(process.env.PORT ?? 4001);
  createStandardWebhooksReceiver({
    secrets,
    onEvent: (payload, id) => console.log('verified webhook', id, (payload as { event?: string }).event),
  }).listen(port, () => console.log(`listening on http://localhost:${port}`));
}
