/** Webhook endpoints that accept connections and never answer. */

import { createServer, type Server, type Socket } from 'node:net';

/**
 * Loopback servers that accept connections and never answer: every request to them runs into the
 * delivery function's timeout, like a receiver that hangs.
 */
export async function startHangingEndpoints(
  count: number,
): Promise<{ urls: string[]; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const urls: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => sockets.delete(socket));
      socket.resume(); // read and drop the request; never write a byte back
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('hanging endpoint has no port');
    servers.push(server);
    urls.push(`http://127.0.0.1:${address.port}/hook`);
  }
  return {
    urls,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
