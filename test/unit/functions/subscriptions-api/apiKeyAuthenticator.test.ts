import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from '../../../../functions/subscriptions-api/apiKeyAuthenticator';
import { ProblemError } from '../../../../functions/subscriptions-api/problem';

/** An in-memory key table that counts lookups (the real store is covered by the integration tests). */
function keyTable(entries: Record<string, string>) {
  const table = new Map(Object.entries(entries));
  return {
    lookups: 0,
    revoke(key: string) {
      table.delete(key);
    },
    async findWorkspace(key: string) {
      this.lookups++;
      return table.get(key);
    },
  };
}

describe('ApiKeyAuthenticator', () => {
  it('caches known keys for the TTL only, then sees revocations', async () => {
    let now = 1_000_000;
    const keys = keyTable({ cwk_a: 'ws-a' });
    const auth = new ApiKeyAuthenticator(keys, () => now, 30_000);
    expect(await auth.workspaceFor('Bearer cwk_a')).toBe('ws-a');
    now += 29_000;
    expect(await auth.workspaceFor('Bearer cwk_a')).toBe('ws-a');
    expect(keys.lookups).toBe(1);
    keys.revoke('cwk_a');
    now += 2_000;
    await expect(auth.workspaceFor('Bearer cwk_a')).rejects.toBeInstanceOf(ProblemError);
    expect(keys.lookups).toBe(2);
  });

  it('never caches unknown keys', async () => {
    const keys = keyTable({});
    const auth = new ApiKeyAuthenticator(keys, () => 0);
    await expect(auth.workspaceFor('Bearer cwk_x')).rejects.toMatchObject({ problem: { status: 401 } });
    await expect(auth.workspaceFor('Bearer cwk_x')).rejects.toMatchObject({ problem: { status: 401 } });
    expect(keys.lookups).toBe(2);
  });

  it('shares one lookup between concurrent requests with a key', async () => {
    const keys = keyTable({ cwk_a: 'ws-a' });
    const auth = new ApiKeyAuthenticator(keys);
    const answers = await Promise.all([auth.workspaceFor('Bearer cwk_a'), auth.workspaceFor('Bearer cwk_a')]);
    expect(answers).toEqual(['ws-a', 'ws-a']);
    expect(keys.lookups).toBe(1);
  });

  it('does not cache a failed lookup', async () => {
    let fail = true;
    let lookups = 0;
    const auth = new ApiKeyAuthenticator({
      async findWorkspace() {
        lookups++;
        if (fail) throw new Error('throttled');
        return 'ws-a';
      },
    });
    await expect(auth.workspaceFor('Bearer cwk_a')).rejects.toThrow('throttled');
    fail = false;
    expect(await auth.workspaceFor('Bearer cwk_a')).toBe('ws-a');
    expect(await auth.workspaceFor('Bearer cwk_a')).toBe('ws-a');
    expect(lookups).toBe(2);
  });

  it('with a time to live of 0 looks every key up', async () => {
    const keys = keyTable({ cwk_a: 'ws-a' });
    const auth = new ApiKeyAuthenticator(keys, undefined, 0);
    await auth.workspaceFor('Bearer cwk_a');
    await auth.workspaceFor('Bearer cwk_a');
    expect(keys.lookups).toBe(2);
  });

  it.each([
    undefined,
    '',
    '   ',
    'cwk_a',
    'Basic cwk_a',
    'Bearer',
    'Bearer a b',
    `Bearer ${'k'.repeat(600)}`,
  ])('answers 401 without a lookup for %j', async (header) => {
    const keys = keyTable({ cwk_a: 'ws-a' });
    const auth = new ApiKeyAuthenticator(keys);
    await expect(auth.workspaceFor(header)).rejects.toMatchObject({
      problem: { status: 401 },
      headers: { 'WWW-Authenticate': expect.stringMatching(/^Bearer/) },
    });
    expect(keys.lookups).toBe(0);
  });
});
