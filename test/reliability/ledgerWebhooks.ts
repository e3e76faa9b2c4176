import { expect } from 'vitest';
import {
  type ReceivedRequest,
  type ScriptedResponse,
  type SignatureVerifyingReceiver,
  startSignatureVerifyingReceiver,
} from '../helpers/signatureVerifyingReceiver';
import type { ReliabilityRuntime } from './reliabilityRuntime';

/**
 * Creates `count` webhooks (all events) through the API, each pointing at its own signature-verifying
 * receiver whose answers come from `respond(webhookId, request)`. Receivers are pushed onto `receivers`
 * so the caller's afterAll can stop them. Returns the webhook ids, then waits for the mapper's webhook
 * cache (1 s in these runtimes) to see them all before the caller writes.
 */
export async function createLedgerWebhooks(
  rt: ReliabilityRuntime,
  receivers: SignatureVerifyingReceiver[],
  options: {
    count: number;
    respond: (webhookId: string, request: ReceivedRequest) => ScriptedResponse | undefined;
    description?: (index: number) => string;
  },
): Promise<string[]> {
  const webhookIds: string[] = [];
  for (let i = 0; i < options.count; i++) {
    let webhookId = '';
    const receiver = await startSignatureVerifyingReceiver({
      responder: (request) => options.respond(webhookId, request),
    });
    receivers.push(receiver);
    const created = await rt.api<{ id: string; secret: string }>('POST', '/webhooks', {
      targetUrl: `${receiver.url}/hook`,
      ...(options.description ? { description: options.description(i) } : {}),
    });
    expect(created.status, created.text).toBe(201);
    webhookId = created.body.id;
    webhookIds.push(webhookId);
    receiver.setSecrets([created.body.secret]);
  }
  await new Promise((r) => setTimeout(r, 1_500));
  return webhookIds;
}
