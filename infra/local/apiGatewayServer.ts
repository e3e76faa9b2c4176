/** The local API Gateway: an HTTP server that invokes the management API's handler as an HTTP API does. */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toApiGatewayEvent } from './apiGatewayEvent';
import {
  type GatewayReply,
  gatewayError,
  INTERNAL_SERVER_ERROR,
  toGatewayReply,
  writeGatewayReply,
} from './apiGatewayResponse';
import { invokeLambda, type LambdaHandler } from './lambdaContext';

/** API Gateway's request payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface ApiGatewayServerOptions {
  handler: LambdaHandler<APIGatewayProxyEventV2, unknown>;
  port: number;
  host?: string;
  functionName?: string;
  /** The function timeout; HTTP APIs never wait longer than 30 s. */
  timeoutMs?: number;
  maxPayloadBytes?: number;
  /** Where handler crashes are reported (the request still gets API Gateway's 500). */
  onHandlerError?: (error: unknown) => void;
}

export interface ApiGatewayServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * A local stand-in for an API Gateway HTTP API with one `$default` Lambda integration: every request
 * becomes a payload 2.0 event for `handler`, and the handler's result is written back as API Gateway
 * would (including its own 413 and 500 answers).
 */
export async function startApiGatewayServer(options: ApiGatewayServerOptions): Promise<ApiGatewayServer> {
  const functionName = options.functionName ?? 'subscriptions-api';
  const timeoutMs = Math.min(options.timeoutMs ?? 30_000, 30_000);
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const reportError = options.onHandlerError ?? ((error) => console.error(`[${functionName}]`, error));

  const server: Server = createServer((request, response) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(request, limit);
      } catch (error) {
        const reply =
          error instanceof PayloadTooLargeError
            ? gatewayError(413, 'Request Entity Too Large')
            : gatewayError(400, 'Bad Request');
        writeGatewayReply(response, { ...reply, headers: { ...reply.headers, connection: 'close' } }, '');
        request.resume();
        return;
      }
      const event = toApiGatewayEvent(request, body);
      let reply: GatewayReply;
      try {
        reply = toGatewayReply(await invokeLambda(options.handler, event, { functionName, timeoutMs }));
      } catch (error) {
        reportError(error);
        reply = INTERNAL_SERVER_ERROR();
      }
      writeGatewayReply(response, reply, event.requestContext.requestId);
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still in flight get a moment to finish, then their sockets are closed.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
