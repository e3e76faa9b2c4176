import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhooksSignature, verifyTwentySignature } from '../../shared/domain/signing';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body exactly as received. */
  body: string;
  /** Per configured secret (same order): does `X-Twenty-Webhook-Signature` verify with it? */
  twentyValidFor: boolean[];
  /** Per configured secret: does a `webhook-signature` entry verify with it (Standard Webhooks)? */
  standardValidFor: boolean[];
  /** Valid with any configured secret, under both schemes. */
  verified: boolean;
  receivedAt: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
  /** Drop the connection without answering (after `delayMs`, if set): the sender sees a reset. */
  reset?: boolean;
}

export interface SignatureVerifyingReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  readonly requests: ReceivedRequest[];
  /** Secrets the receiver verifies with (a rotation test sets two). */
  setSecrets(secrets: readonly string[]): void;
  /** Queues answers for the next requests, in order; afterwards the default answer applies. */
  respondWith(...responses: ScriptedResponse[]): void;
  setDefaultResponse(response: ScriptedResponse): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): Promise<void>;
}

/**
 * A real webhook receiver on 127.0.0.1: records every request and verifies both signature schemes
 * with the domain's receiver-side functions, answering from a script (status, headers, body, delay).
 */
export async function startSignatureVerifyingReceiver(
  options: {
    secrets?: readonly string[];
    defaultResponse?: ScriptedResponse;
    /** Picks the answer to each request (chaos tests); when it returns undefined the script applies. */
    responder?: (request: ReceivedRequest) => ScriptedResponse | undefined;
  } = {},
): Promise<SignatureVerifyingReceiver> {
  let secrets = [...(options.secrets ?? [])];
  let defaultResponse: ScriptedResponse = options.defaultResponse ?? { status: 200, body: 'ok' };
  const script: ScriptedResponse[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const now = new Date();
      const twentyValidFor = secrets.map((secret) =>
        verifyTwentySignature({
          secrets: [secret],
          body,
          timestampHeader: header(req.headers, 'x-twenty-webhook-timestamp'),
          signatureHeader: header(req.headers, 'x-twenty-webhook-signature'),
          now,
        }),
      );
      const standardValidFor = secrets.map((secret) =>
        verifyStandardWebhooksSignature({ secrets: [secret], headers: req.headers, body, now }),
      );
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        twentyValidFor,
        standardValidFor,
        verified: twentyValidFor.some(Boolean) && standardValidFor.some(Boolean),
        receivedAt: Date.now(),
      };
      requests.push(received);
      for (const wake of waiters) wake();
      const response = options.responder?.(received) ?? script.shift() ?? defaultResponse;
      const answer = () => {
        if (res.destroyed) return;
        if (response.reset) {
          req.socket.resetAndDestroy();
          return;
        }
        res.writeHead(response.status, response.headers ?? {});
        res.end(response.body ?? '');
      };
      if (response.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, response.delayMs);
        timers.add(timer);
      } else {
        answer();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setSecrets(next) {
      secrets = [...next];
    },
    respondWith(...responses) {
      script.push(...responses);
    },
    setDefaultResponse(response) {
      defaultResponse = response;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests.slice(0, count));
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
