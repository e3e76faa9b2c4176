import { describe, expect, it } from 'vitest';
import { randomNonce } from '../../../../../shared/domain/signing/randomNonce';

describe('randomNonce', () => {
  it('gives 32 hex characters, never the same twice, across several refills of its pool', () => {
    const nonces = Array.from({ length: 2_000 }, () => randomNonce());
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('spreads its bytes evenly (no byte reused or left zero from the pool)', () => {
    const counts = new Array<number>(16).fill(0);
    const samples = 4_000;
    for (let i = 0; i < samples; i++) {
      for (const digit of randomNonce())
        counts[Number.parseInt(digit, 16)] = (counts[Number.parseInt(digit, 16)] ?? 0) + 1;
    }
    // 128 000 hex digits: each of the 16 values expected 8 000 times; 5 % either way is > 10 sigma.
    for (const count of counts) expect(Math.abs(count - 8_000)).toBeLessThan(400);
  });
});
