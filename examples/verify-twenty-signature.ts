/**
 * A webhook receiver that verifies `X-Twenty-Webhook-Signature` with nothing but node:crypto.
 *
 *   WEBHOOK_SECRET=whsec_... PORT=4000 npx tsx examples/verify-twenty-signature.ts
 *
 * The signature is HMAC-SHA256 (hex) keyed with the secret string exactly as shown, over
 * `${X-Twenty-Webhook-Timestamp}:${rawBody}`. Sign-check the raw bytes you received: parsing the
 * JSON and calling JSON.stringify again (or stringifying the already-stringified body, as the
 * snippet in Twenty's docs does) changes the bytes and the signature no longer matches.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';

const TOLERANCE_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;

export function isValidTwentySignature(
  secret: string,
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  now = Date.now(),
): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  // Reject old (replayed) and far-future requests.
  if (Math.abs(now - Number(timestamp)) > TOLERANCE_MS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}:`).update(rawBody).digest('hex');
  const received = Buffer.from(signature.toLowerCase(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  return received.length === wanted.length && timingSafeEqual(received, wanted);
}

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

export function createTwentyReceiver({
  secret,
  onEvent,
}: {
  secret: string;
  onEvent: (payload: unknown) => void | Promise<void>;
}): Server {
  return createServer(async (request, response) => {
    const rawBody = await readRawBody(request);
    if (rawBody === undefined) {
      response.writeHead(413).end();
      return;
    }
    const valid = isValidTwentySignature(
      secret,
      rawBody,
      request.headers['x-twenty-webhook-timestamp'] as string | undefined,
      request.headers['x-twenty-webhook-signature'] as string | undefined,
    );
    if (!valid) {
      response.writeHead(401).end();
      return;
    }
    // Only now parse: the signature covered the bytes, not this object.
    await onEvent(JSON.parse(rawBody.toString('utf8')));
    // Answer 2xx quickly; slow work belongs in a queue of your own.
    response.writeHead(204).end();
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error('set WEBHOOK_SECRET to the secret returned when the webhook was created');
  const port = Number(process.env.PORT ?? 4000);
  createTwentyReceiver({
    secret,
    onEvent: (payload) =>
      console.log('verified webhook', (payload as { event?: string; eventName?: string }).event),
  }).listen(port, () => console.log(`listening on http://localhost:${port}`));
}
