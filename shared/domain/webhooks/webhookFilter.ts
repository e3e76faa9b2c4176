/**
 * A webhook's optional field filter: Twenty users ask to fire only when chosen fields change
 * (twentyhq/twenty#7398). Pure data and matching: the API validates filters (`schemas.ts`) and the
 * event mapper applies them while fanning out. The test event ignores them, as it ignores `operations`.
 */

/** A value a `where` field can equal: a JSON scalar. */
export type FilterScalar = string | number | boolean | null;

export interface WebhookFilter {
  /** An `updated` event is delivered only when at least one of these top-level fields changed. */
  updatedFields?: string[];
  /**
   * Each named top-level field of the record (after the change; before it, for deletes) must equal the
   * value, or one of the values of an array. An absent field counts as `null`.
   */
  where?: Record<string, FilterScalar | FilterScalar[]>;
}

/** At most this many field names in `updatedFields`, and this many fields in `where`. */
export const MAX_FILTER_FIELDS = 20;
/** At most this many values in `where`, all fields together. */
export const MAX_FILTER_VALUES = 50;
export const MAX_FILTER_FIELD_NAME_LENGTH = 255;
export const MAX_FILTER_STRING_LENGTH = 1024;

/** The event facts a filter reads. */
export interface FilterableEvent {
  action: string;
  updatedFields?: readonly string[];
}

/**
 * Whether an event passes a webhook's filter (no filter: it does). `record` gives the record's
 * top-level fields; it is called only for a `where`, so callers can parse the record lazily, once.
 */
export function matchesFilter(
  filter: WebhookFilter | undefined,
  event: FilterableEvent,
  record: () => Readonly<Record<string, unknown>>,
): boolean {
  if (filter === undefined) return true;
  if (filter.updatedFields !== undefined && event.action === 'updated') {
    const changed = event.updatedFields ?? [];
    if (!filter.updatedFields.some((field) => changed.includes(field))) return false;
  }
  if (filter.where !== undefined) {
    const fields = record();
    for (const [field, wanted] of Object.entries(filter.where)) {
      const actual = Object.hasOwn(fields, field) ? fields[field] : null;
      const allowed = Array.isArray(wanted) ? wanted : [wanted];
      if (!allowed.some((value) => value === actual)) return false;
    }
  }
  return true;
}
