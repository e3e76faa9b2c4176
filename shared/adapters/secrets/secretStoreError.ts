/** Secrets Manager refused or failed a call: the API answers 503 and writes nothing else. */
export class SecretStoreError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`Secrets Manager ${operation} failed: ${cause instanceof Error ? cause.name : 'unknown error'}`, {
      cause,
    });
    this.name = 'SecretStoreError';
  }
}
