/** The smallest webhook receiver (204 to every POST), in its own process. */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * The smallest webhook receiver: node:http on 127.0.0.1 answering 204 to every POST, in its own
 * process so it does not share the event loop with what is being measured. `GET /count` answers how
 * many POSTs and connections it has received, so a benchmark can check that every request really arrived.
 */
const RECEIVER_SOURCE = `
const http = require('node:http');
let posts = 0;
let connections = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(JSON.stringify({ posts, connections })); return; }
  req.on('data', () => {});
  req.on('end', () => { posts++; res.writeHead(204); res.end(); });
});
server.on('connection', () => { connections++; });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface NoContentReceiver {
  url: string;
  /** POSTs received and TCP connections accepted so far. */
  counts(): Promise<{ posts: number; connections: number }>;
  stop(): Promise<void>;
}

export async function startNoContentReceiver(): Promise<NoContentReceiver> {
  const child: ChildProcess = spawn(process.execPath, ['-e', RECEIVER_SOURCE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`receiver did not report its port: ${chunk}`);
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hook`,
    async counts() {
      const response = await fetch(`${base}/count`);
      return (await response.json()) as { posts: number; connections: number };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
