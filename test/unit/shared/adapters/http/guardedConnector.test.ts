import type { LookupAddress } from 'node:dns';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlockedAddressError } from '../../../../../shared/adapters/http/blockedAddressError';
import {
  connectedAddressReason,
  createGuardedConnector,
} from '../../../../../shared/adapters/http/guardedConnector';
import {
  createWebhookHttpClient,
  type WebhookHttpClient,
} from '../../../../../shared/adapters/http/webhookHttpClient';

/**
 * A plain TCP listener on 127.0.0.1 that counts connections and bytes: for every loopback case it
 * must see nothing, proving the request was refused before a byte left (or a socket even opened).
 */
let listener: Server;
let port: number;
let connections = 0;
let bytes = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      bytes += chunk.length;
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

beforeEach(() => {
  connections = 0;
  bytes = 0;
});

function v4(address: string): LookupAddress {
  return { address, family: 4 };
}
function v6(address: string): LookupAddress {
  return { address, family: 6 };
}

/** `evil.test` resolves to whatever the case says: the test's DNS. */
function clientResolving(addresses: LookupAddress[], allowLoopback: boolean) {
  const lookedUp: string[] = [];
  const client = createWebhookHttpClient({
    policy: { allowLoopback },
    resolveHost: async (hostname) => {
      lookedUp.push(hostname);
      return addresses;
    },
  });
  return { client, lookedUp };
}

async function post(client: WebhookHttpClient, url: string) {
  try {
    return await client.post({ url, body: '{"secret":"payload"}', headers: {}, timeoutMs: 2_000 });
  } finally {
    await client.close();
  }
}

const resolvedCases: [string, LookupAddress[]][] = [
  ['loopback 127.0.0.1', [v4('127.0.0.1')]],
  ['loopback 127.1.2.3', [v4('127.1.2.3')]],
  ['IPv6 loopback ::1', [v6('::1')]],
  ['IPv4-mapped loopback ::ffff:127.0.0.1', [v6('::ffff:127.0.0.1')]],
  ['RFC 1918 10.0.0.1', [v4('10.0.0.1')]],
  ['RFC 1918 172.16.5.4', [v4('172.16.5.4')]],
  ['RFC 1918 192.168.1.1', [v4('192.168.1.1')]],
  ['cloud metadata 169.254.169.254', [v4('169.254.169.254')]],
  ['ECS metadata 169.254.170.2', [v4('169.254.170.2')]],
  ['CGNAT 100.64.0.1', [v4('100.64.0.1')]],
  ['multicast 224.0.0.1', [v4('224.0.0.1')]],
  ['multicast 239.255.255.250', [v4('239.255.255.250')]],
  ['broadcast 255.255.255.255', [v4('255.255.255.255')]],
  ['unspecified 0.0.0.0', [v4('0.0.0.0')]],
  ['IPv6 unspecified ::', [v6('::')]],
  ['IPv6 ULA fc00::1', [v6('fc00::1')]],
  ['AWS IPv6 metadata fd00:ec2::254', [v6('fd00:ec2::254')]],
  ['IPv6 link-local fe80::1', [v6('fe80::1')]],
  ['IPv6 multicast ff02::1', [v6('ff02::1')]],
  ['IPv4-mapped private ::ffff:10.0.0.1', [v6('::ffff:10.0.0.1')]],
  ['IPv4-mapped metadata ::ffff:169.254.169.254', [v6('::ffff:169.254.169.254')]],
  ['IPv4-compatible loopback ::7f00:1', [v6('::7f00:1')]],
  ['IPv4-compatible metadata ::a9fe:a9fe', [v6('::a9fe:a9fe')]],
  ['several answers, all blocked', [v4('10.0.0.1'), v4('127.0.0.1'), v6('::1')]],
];

describe('SSRF protection at connect time (LOCAL_MODE false)', () => {
  for (const scheme of ['http', 'https'] as const) {
    it.each(resolvedCases)(`${scheme}: refuses a name resolving to %s`, async (_label, addresses) => {
      const { client, lookedUp } = clientResolving(addresses, false);

      const result = await post(client, `${scheme}://evil.test:${port}/hook`);

      expect(result.kind).toBe('blocked');
      expect(lookedUp).toEqual(['evil.test']);
      expect(connections).toBe(0);
      expect(bytes).toBe(0);
    });
  }

  it.each([
    ['http://127.0.0.1:PORT/'],
    ['http://127.9.9.9:PORT/'],
    ['http://[::1]:PORT/'],
    ['http://[::ffff:127.0.0.1]:PORT/'],
    ['http://[::ffff:7f00:1]:PORT/'],
    ['http://[::127.0.0.1]:PORT/'],
    ['http://[::a9fe:a9fe]:PORT/'],
    ['http://0x7f.0.0.1:PORT/'],
    ['http://2130706433:PORT/'],
    ['http://017700000001:PORT/'],
    ['https://127.0.0.1:PORT/'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://[fd00:ec2::254]/latest/meta-data/'],
    ['http://10.0.0.1/'],
    ['http://0.0.0.0:PORT/'],
    ['http://localhost:PORT/'],
    ['http://metadata.google.internal/computeMetadata/v1/'],
    ['http://printer.local/'],
    ['http://intranet/'],
  ])('refuses the literal or local target %s without any DNS lookup', async (template) => {
    const { client, lookedUp } = clientResolving([v4('127.0.0.1')], false);

    const result = await post(client, template.replace('PORT', String(port)));

    expect(result.kind).toBe('blocked');
    expect(lookedUp).toEqual([]);
    expect(connections).toBe(0);
  });

  it('refuses non-http schemes', async () => {
    const { client } = clientResolving([v4('127.0.0.1')], false);
    expect((await post(client, `file:///etc/passwd`)).kind).toBe('blocked');
  });

  it('never sends the request body or headers to a refused target', async () => {
    const { client } = clientResolving([v4('127.0.0.1')], false);
    const result = await post(client, `http://evil.test:${port}/`);
    expect(result).toMatchObject({ kind: 'blocked', error: expect.stringContaining('127.0.0.1') });
    expect(JSON.stringify(result)).not.toContain('payload');
    expect(bytes).toBe(0);
  });
});

describe('local mode', () => {
  it('allows loopback (positive control: the listener does see such a request)', async () => {
    const { client } = clientResolving([v4('127.0.0.1')], true);

    const result = await post(client, `http://evil.test:${port}/hook`);

    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(connections).toBe(1);
    expect(bytes).toBeGreaterThan(0);
  });

  it('drops blocked answers and connects only to an allowed one', async () => {
    const { client } = clientResolving([v4('10.0.0.1'), v4('169.254.169.254'), v4('127.0.0.1')], true);

    const result = await post(client, `http://evil.test:${port}/hook`);

    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(connections).toBe(1);
  });

  it('still refuses private and metadata addresses', async () => {
    for (const address of ['10.0.0.1', '169.254.169.254', '100.64.0.1']) {
      const { client } = clientResolving([v4(address)], true);
      expect((await post(client, `http://evil.test:${port}/`)).kind).toBe('blocked');
    }
    expect(connections).toBe(0);
  });
});

describe('connectedAddressReason (the post-connect check)', () => {
  it('judges the address a socket is actually connected to', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    try {
      expect(connectedAddressReason(socket, { allowLoopback: false })).toMatch(/loopback/);
      expect(connectedAddressReason(socket, { allowLoopback: true })).toBeUndefined();
    } finally {
      socket.destroy();
    }
  });
});

describe("createGuardedConnector on its own (without the client's URL pre-check)", () => {
  it.each(['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]', '[::7f00:1]', '[::a9fe:a9fe]'])(
    'refuses the IP-literal host %s, which never goes through a DNS lookup',
    async (host) => {
      const agent = new Agent({
        connect: createGuardedConnector({
          policy: { allowLoopback: false },
          resolveHost: async () => [v4('127.0.0.1')],
          connectTimeoutMs: 2_000,
        }),
      });
      try {
        const error = await request(`http://${host}:${port}/`, {
          method: 'POST',
          body: '{}',
          dispatcher: agent,
        }).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error).toBeInstanceOf(BlockedAddressError);
        expect(connections).toBe(0);
        expect(bytes).toBe(0);
      } finally {
        await agent.close();
      }
    },
  );
});
