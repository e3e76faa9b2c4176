/** The end-to-end benchmark's receiver: verifies both signatures and notes which record arrived when. */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhooksSignature, verifyTwentySignature } from '../../shared/domain/signing';

/** Where the bare relay baseline posts. */
export const RELAY_PATH = '/relay';

export interface Receipt {
  webhook: number;
  recordId: string;
  event: string;
  receivedAt: number;
}

/**
 * The subscriber side of the end-to-end benchmark: `POST /hook/<n>` verifies both signatures with
 * webhook n's secret (as a careful receiver would), then notes which record arrived and when
 * (`performance.now()`, the clock the load generator stamps writes with). Answers 204, or 401 when
 * a signature does not verify (the pipeline would retry; the benchmark counts it as a defect).
 * `POST /relay` takes the bare relay's unsigned posts (webhook -1).
 */
export class VerifyingReceiver {
  private server: Server | undefined;
  private readonly secrets = new Map<number, string>();
  readonly receipts: Receipt[] = [];
  rejected = 0;
  private readonly seen = new Set<string>();
  duplicates = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        (status) => {
          res.writeHead(status);
          res.end();
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  setSecret(webhook: number, secret: string): void {
    this.secrets.set(webhook, secret);
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const receivedAt = performance.now();
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.url === RELAY_PATH) {
      // The bare relay (baseline) sends unsigned bodies: note the arrival only.
      const relayed = JSON.parse(body) as { data: { id: string } };
      this.receipts.push({ webhook: -1, recordId: relayed.data.id, event: 'relay', receivedAt });
      return 204;
    }
    const webhook = Number(/^\/hook\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const secret = this.secrets.get(webhook);
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(' ') : value;
    };
    const verified =
      secret !== undefined &&
      verifyStandardWebhooksSignature({ secrets: [secret], headers: req.headers, body }) &&
      verifyTwentySignature({
        secrets: [secret],
        body,
        timestampHeader: header('x-twenty-webhook-timestamp'),
        signatureHeader: header('x-twenty-webhook-signature'),
      });
    if (!verified) {
      this.rejected++;
      return 401;
    }
    const payload = JSON.parse(body) as { event: string; data: { id: string } };
    const key = `${webhook}\u0000${header('webhook-id')}`;
    if (this.seen.has(key)) {
      this.duplicates++;
      return 204;
    }
    this.seen.add(key);
    this.receipts.push({ webhook, recordId: payload.data.id, event: payload.event, receivedAt });
    return 204;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
