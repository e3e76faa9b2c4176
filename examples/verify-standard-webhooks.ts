/**
 * A webhook receiver that verifies the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) with the reference library, npm `standardwebhooks`.
 *
 *   WEBHOOK_SECRET=whsec_... PORT=4001 npx tsx examples/verify-standard-webhooks.ts
 *
 * During a secret rotation pass both secrets (comma-separated): a request is accepted when it verifies
 * with any of them. `webhook-id` is the same on every retry of a delivery: use it to drop duplicates.
 * Both payload formats (`default` and `twenty`) are signed the same way.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';

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

/**
 * The verified payload, or why no secret verifies the request. The library's messages ("No matching
 * signature found", "Message timestamp too old", "Missing required headers") never contain a secret.
 */
export function verifyWithAnySecret(
  secrets: readonly string[],
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
): { payload: unknown } | { problem: string } {
  const signed = {
    'webhook-id': String(headers['webhook-id'] ?? ''),
    'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
    'webhook-signature': String(headers['webhook-signature'] ?? ''),
  };
  let problem = 'no secret configured';
  for (const secret of secrets) {
    try {
      return { payload: new Webhook(secret).verify(rawBody, signed) };
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  return { problem };
}

export function createStandardWebhooksReceiver({
  secrets,
  onEvent,
  onReject = (reason) => console.warn(`rejected webhook request: ${reason}`),
}: {
  /** Newest first; keep the previous one until its rotation window ends. */
  secrets: string[];
  onEvent: (payload: unknown, deliveryId: string) => void | Promise<void>;
  /** Called with the reason for every rejected request (no secret in it): a wrong secret shows here. */
  onReject?: (reason: string) => void;
}): Server {
  const seen = new Set<string>(); // use a shared store with a TTL in production
  return createServer(async (request, response) => {
    const rawBody = await readRawBody(request);
    if (rawBody === undefined) {
      onReject(`body larger than ${MAX_BODY_BYTES} bytes`);
      response.writeHead(413).end();
      return;
    }
    const verified = verifyWithAnySecret(secrets, rawBody, request.headers);
    if ('problem' in verified) {
      onReject(verified.problem);
      response.writeHead(401).end();
      return;
    }
    const deliveryId = request.headers['webhook-id'] as string;
    if (!seen.has(deliveryId)) {
      seen.add(deliveryId);
      await onEvent(verified.payload, deliveryId);
    }
    response.writeHead(204).end();
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secrets = (process.env.WEBHOOK_SECRET ?? '').split(',').filter(Boolean);
  if (secrets.length === 0) {
    console.error('Set WEBHOOK_SECRET to the webhook secret (comma-separated during a rotation).');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 4001);
  createStandardWebhooksReceiver({
    secrets,
    // The default payload names the event in `event`; `payloadFormat: "twenty"` in `eventName`.
    onEvent: (payload, id) => {
      const { event, eventName } = payload as { event?: string; eventName?: string };
      console.log('verified webhook', id, event ?? eventName);
    },
  }).listen(port, () => console.log(`listening on http://localhost:${port}`));
}
