import { z } from 'zod';

/*
 * Building blocks for each function's environment schema. Every function reads its environment once at
 * cold start with `parseEnvironment`; a bad value fails fast with a message naming the variable.
 */

export const requiredVariable = (variable: string) =>
  z.string({ error: `${variable} is required` }).min(1, `${variable} is required`);

export const integerVariable = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `true`/`1` or `false`/`0`; absent means false. */
export const booleanVariable = z
  .enum(['true', 'false', '1', '0'], { error: 'must be "true" or "false"' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');

/** Secrets are named `<prefix>/<workspaceId>/<webhookId>`; the CDK stack grants access to this prefix only. */
export const secretNamePrefixVariable = z
  .string()
  .regex(/^[a-zA-Z0-9/_+=.@-]{1,200}$/, 'must contain only letters, digits and /_+=.@-')
  .default('crm-webhooks');

/** Parses `env` (empty values count as absent) or throws one error naming every bad variable. */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  component: string,
): z.infer<Schema> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${component} configuration is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}
