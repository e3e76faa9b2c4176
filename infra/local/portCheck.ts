/** Fails fast when a port the local runtime needs is taken. */

import { createServer } from 'node:net';

export class PortBusyError extends Error {
  override name = 'PortBusyError';
}

function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Fails fast, before anything starts, when a port the local runtime needs is taken, naming the
 * environment variable that moves it.
 */
export async function assertPortsFree(
  ports: readonly { port: number; envVar: string; what: string }[],
  host = '127.0.0.1',
): Promise<void> {
  const busy: string[] = [];
  for (const { port, envVar, what } of ports) {
    if (port !== 0 && !(await isPortFree(port, host))) {
      busy.push(
        `  - port ${port} (${what}) is already in use: stop what uses it or set ${envVar}, e.g. ${envVar}=${port + 1}`,
      );
    }
  }
  if (busy.length > 0) {
    throw new PortBusyError(
      `Cannot start: ${busy.length === 1 ? 'a port is' : 'ports are'} busy.\n${busy.join('\n')}`,
    );
  }
}
