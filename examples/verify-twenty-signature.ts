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

/**
 * Why a request fails verification, or `undefined` when it passes. The reason never contains the
 * secret or the expected signature, so it is safe to log.
 */
export function twentySignatureProblem(
  secret: string,
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  now = Date.now(),
): string | undefined {
  if (!timestamp || !signature) return 'missing X-Twenty-Webhook-Timestamp or X-Twenty-Webhook-Signature';
  if (!/^\d+$/.test(timestamp)) return 'X-Twenty-Webhook-Timestamp is not Unix milliseconds';
  // Reject old (replayed) and far-future requests.
  const skewMs = now - Number(timestamp);
  if (Math.abs(skewMs) > TOLERANCE_MS) {
    return `timestamp is ${Math.round(skewMs / 1000)} s off this server's clock (more than 5 minutes)`;
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}:`).update(rawBody).digest('hex');
  const received = Buffer.from(signature.toLowerCase(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (received.length !== wanted.length || !timingSafeEqual(received, wanted)) {
    return 'signature does not match (wrong secret, or the body was changed before verifying)';
  }
  return undefined;
}

export function isValidTwentySignature(
  secret: string,
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  now = Date.now(),
): boolean {
  return twentySignatureProblem(secret, rawBody, timestamp, signature, now) === undefined;
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
  onReject = (reason) => console.warn(`rejected webhook request: ${reason}`),
}: {
  secret: string;
  onEvent: (payload: unknown) => void | Promise<void>;
  /** Called with the reason for every rejected request (no secret in it): a wrong secret shows here. */
  onReject?: (reason: string) => void;
}): Server {
  return createServer(async (request, response) => {
    const rawBody = await readRawBody(request);
    if (rawBody === undefined) {
      onReject(`body larger than ${MAX_BODY_BYTES} bytes`);
      response.writeHead(413).end();
      return;
    }
    const problem = twentySignatureProblem(
      secret,
      rawBody,
      request.headers['x-twenty-webhook-timestamp'] as string | undefined,
      request.headers['x-twenty-webhook-signature'] as string | undefined,
    );
    if (problem !== undefined) {
      onReject(problem);
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
  if (!secret) {
    console.error('Set WEBHOOK_SECRET to the secret returned when the webhook was created.');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 4000);
  createTwentyReceiver({
    secret,
    // The default payload names the event in `event`; `payloadFormat: "twenty"` in `eventName`.
    onEvent: (payload) => {
      const { event, eventName } = payload as { event?: string; eventName?: string };
      console.log('verified webhook', event ?? eventName);
    },
  }).listen(port, () => console.log(`listening on http://localhost:${port}`));
}
