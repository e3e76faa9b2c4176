/**
 * A mistake in the deployer's settings (CDK context or the CRM sources config file): `app.ts` prints its
 * message alone, one line per problem, and exits non-zero, without a Node stack trace.
 */
export class SynthConfigurationError extends Error {
  override name = 'SynthConfigurationError';
}
