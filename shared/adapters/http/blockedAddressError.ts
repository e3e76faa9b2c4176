/**
 * An outbound webhook request refused because its target is (or resolves to) a private, loopback,
 * link-local, metadata or otherwise non-public address. Raised before any byte is sent.
 */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_BLOCKED_ADDRESS';

  constructor(reason: string) {
    super(`refused: ${reason}`);
    this.name = 'BlockedAddressError';
  }
}
