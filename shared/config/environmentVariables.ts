/**
 * Building blocks for each function's environment schema. Every function reads its environment once at
 * cold start with `parseEnvironment`; a bad value fails fast with a message naming the variable.
 * Written with `zod/mini` so the Lambda bundles leave out classic zod (about 430 KB minified); the
 * schemas are plain zod 4 schemas and also compose into classic `z.object` shapes.
 */

import * as z from 'zod/mini';
import { SECRET_STORE_MODES, type SecretStoreMode } from '../domain/webhooks/signingSecretStore';
import './zodEnglishErrors';

export const requiredVariable = (variable: string) =>
  z.string({ error: `${variable} is required` }).check(z.minLength(1, `${variable} is required`));

/** A whole number in [min, max]; any mistake (not a number, a fraction, out of range) says the range. */
export const integerVariable = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce
    .number({ error })
    .check(z.int({ error }), z.minimum(min, { error }), z.maximum(max, { error }));
};

/** A number in [min, max] (or (0, max] with `aboveZero`); any mistake says the range. */
export const numberVariable = (min: number, max: number, options: { aboveZero?: boolean } = {}) => {
  const error = options.aboveZero
    ? `must be a number above 0 and at most ${max}`
    : `must be a number from ${min} to ${max}`;
  return z.coerce
    .number({ error })
    .check(options.aboveZero ? z.positive({ error }) : z.minimum(min, { error }), z.maximum(max, { error }));
};

/** `true`/`1` or `false`/`0`; absent means false. */
export const booleanVariable = z.pipe(
  z._default(z.enum(['true', 'false', '1', '0'], { error: 'must be "true" or "false"' }), 'false'),
  z.transform((value: 'true' | 'false' | '1' | '0') => value === 'true' || value === '1'),
);

/** Secrets are named `<prefix>/<workspaceId>/<webhookId>`; the CDK stack grants access to this prefix only. */
export const secretNamePrefixVariable = z._default(
  z.string().check(z.regex(/^[a-zA-Z0-9/_+=.@-]{1,200}$/, 'must contain only letters, digits and /_+=.@-')),
  'crm-webhooks',
);

/**
 * A bad setting: `message` is one line for a Lambda's cold-start error; `problems` holds one entry per bad
 * variable (`NAME: what is wrong`), for tools that print one line per problem (the local runtime).
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  constructor(
    component: string,
    readonly problems: readonly string[],
  ) {
    super(`${component} configuration is invalid: ${problems.join('; ')}`);
  }
}

/**
 * Parses `env` (empty values count as absent) or throws one error naming every bad variable. Takes any
 * zod 4 schema, mini or classic (the subscriptions API's is classic).
 */
export function parseEnvironment<Schema extends z.core.$ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  component: string,
): z.infer<Schema> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = z.safeParse(schema, present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(component, problems);
  }
  return result.data;
}

/** `SECRET_STORE`: where signing secrets live (see SecretStoreMode); the CDK stack sets it from `secretStore`. */
export const secretStoreVariable = z._default(
  z.enum(SECRET_STORE_MODES, { error: `must be one of: ${SECRET_STORE_MODES.join(', ')}` }),
  'envelope',
);

/** `SIGNING_KEY_SECRET_ID`: name or ARN of the key secret, required in envelope mode. */
export const signingKeySecretIdVariable = z.optional(z.string().check(z.minLength(1)));

/** The secret-store part of a function's config, checked across the two variables. */
export function secretStoreSettings(
  values: { SECRET_STORE: SecretStoreMode; SIGNING_KEY_SECRET_ID?: string | undefined },
  component: string,
): { secretStore: SecretStoreMode; signingKeySecretId?: string } {
  if (values.SECRET_STORE === 'envelope' && values.SIGNING_KEY_SECRET_ID === undefined) {
    throw new ConfigurationError(component, [
      'SIGNING_KEY_SECRET_ID: is required when SECRET_STORE is envelope',
    ]);
  }
  return {
    secretStore: values.SECRET_STORE,
    ...(values.SIGNING_KEY_SECRET_ID === undefined
      ? {}
      : { signingKeySecretId: values.SIGNING_KEY_SECRET_ID }),
  };
}
