/**
 * Sizes of the load scenarios: small in `npm test`, larger under `npm run test:soak`
 * (`SOAK_WRITES`, `SOAK_WEBHOOKS`; the deadline grows with them).
 */
export function soakSizes(fast: { writes: number; webhooks: number }): {
  writes: number;
  webhooks: number;
  timeoutMs: number;
} {
  const writes = Number(process.env.SOAK_WRITES ?? fast.writes);
  const webhooks = Number(process.env.SOAK_WEBHOOKS ?? fast.webhooks);
  if (!Number.isInteger(writes) || writes < 1 || !Number.isInteger(webhooks) || webhooks < 1) {
    throw new Error('SOAK_WRITES and SOAK_WEBHOOKS must be positive integers');
  }
  return { writes, webhooks, timeoutMs: 60_000 + writes * webhooks * 100 };
}
