import { describe, expect, it } from 'vitest';
import { randomNonce } from '../../../../../shared/domain/signing/randomNonce';

describe('randomNonce', () => {
  it('gives 32 lowercase hex characters, never the same twice', () => {
    const nonces = Array.from({ length: 2_000 }, () => randomNonce());
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('spreads its random digits evenly (all but the UUID version and variant digits)', () => {
    const counts = new Array<number>(16).fill(0);
    const samples = 4_000;
    for (let i = 0; i < samples; i++) {
      const nonce = randomNonce();
      for (let position = 0; position < 32; position++) {
        // Position 12 is the version (always 4), position 16 the variant (8, 9, a or b).
        if (position === 12 || position === 16) continue;
        const digit = Number.parseInt(nonce[position] as string, 16);
        counts[digit] = (counts[digit] ?? 0) + 1;
      }
    }
    // 120 000 random hex digits: each of the 16 values expected 7 500 times (sd ~84); 5 % either way is
    // ~4.5 sigma, so a fair source fails about once in 10 000 runs and a stuck digit always.
    for (const count of counts) expect(Math.abs(count - 7_500)).toBeLessThan(375);
  });
});
