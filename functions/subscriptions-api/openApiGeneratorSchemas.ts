import type { ZodObject, ZodType } from 'zod';
import * as z from 'zod/mini';

/*
 * zod-to-openapi reads a schema through its `def` and zod's global registry, but also through members
 * only classic zod's schemas have: `meta()` (the registered metadata), `unwrap()` (a wrapper's inner
 * schema), a string's `format`, `minLength` and `maxLength`, and a number's `format` (`safeint` makes
 * it an `integer`). `forGenerator` gives a `zod/mini` schema and every schema inside it these members,
 * with classic zod's meaning, so the OpenAPI document comes from the very schemas the handler validates
 * with. Validation never reads them. The `zod` import is types only (zod-to-openapi's signatures name
 * classic classes): classic zod stays out of the Lambda bundle.
 */

interface CheckLimits {
  format: string | null;
  minimum: number | null;
  maximum: number | null;
}

/** What classic zod derives from a schema's checks: last format wins, the tightest bounds win. */
function checkLimits(schema: z.core.$ZodType): CheckLimits {
  const limits: CheckLimits = { format: null, minimum: null, maximum: null };
  const raise = (value: number) => {
    if (limits.minimum === null || value > limits.minimum) limits.minimum = value;
  };
  const lower = (value: number) => {
    if (limits.maximum === null || value < limits.maximum) limits.maximum = value;
  };
  // A format schema such as `z.int()` is its own first check.
  const self = schema._zod.traits.has('$ZodCheck') ? [schema as unknown as z.core.$ZodCheck] : [];
  for (const check of [...self, ...(schema._zod.def.checks ?? [])]) {
    const def = check._zod.def as z.core.$ZodCheckDef & Record<string, unknown>;
    if (def.check === 'string_format' || def.check === 'number_format') limits.format = String(def.format);
    else if (def.check === 'min_length') raise(Number(def.minimum));
    else if (def.check === 'max_length') lower(Number(def.maximum));
    else if (def.check === 'length_equals') {
      raise(Number(def.length));
      lower(Number(def.length));
    }
  }
  return limits;
}

function isSchema(value: unknown): value is z.core.$ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** Every schema `value` holds: itself, array items, object shape values. */
function schemasIn(value: unknown): z.core.$ZodType[] {
  if (isSchema(value)) return [value];
  if (Array.isArray(value)) return value.filter(isSchema);
  if (typeof value === 'object' && value !== null) return Object.values(value).filter(isSchema);
  return [];
}

/** Defines `name` on `schema` unless it has it; not enumerable, so nothing that lists keys sees it. */
function give(schema: z.core.$ZodType, name: string, get: () => unknown): void {
  if (!(name in schema)) Object.defineProperty(schema, name, { get });
}

const prepared = new WeakSet<z.core.$ZodType>();

/** `schema`, readable by zod-to-openapi (typed as the classic schema its signatures ask for). */
export function forGenerator(schema: z.core.$ZodType): ZodType {
  const pending = [schema];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (prepared.has(next)) continue;
    prepared.add(next);
    const current = next;
    const def = current._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    give(current, 'meta', () => () => z.globalRegistry.get(current));
    if (isSchema(def.innerType)) give(current, 'unwrap', () => () => def.innerType);
    if (def.type === 'string' || def.type === 'number') {
      give(current, 'format', () => checkLimits(current).format);
    }
    if (def.type === 'string') {
      give(current, 'minLength', () => checkLimits(current).minimum);
      give(current, 'maxLength', () => checkLimits(current).maximum);
    }
    for (const value of Object.values(def)) pending.push(...schemasIn(value));
  }
  return schema as unknown as ZodType;
}

export function forGeneratorObject(schema: z.ZodMiniObject): ZodObject {
  return forGenerator(schema) as unknown as ZodObject;
}
