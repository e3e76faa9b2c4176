/**
 * Reads a handler's partial batch response the way Lambda event source mappings with
 * `ReportBatchItemFailures` do: no response (or an empty list) means every item succeeded; an
 * identifier that is empty or not in the batch makes the whole batch count as failed.
 */
export type BatchOutcome =
  | { kind: 'all-succeeded' }
  | { kind: 'some-failed'; failedIds: Set<string> }
  | { kind: 'all-failed' };

export function readBatchItemFailures(response: unknown, batchIds: readonly string[]): BatchOutcome {
  if (response === undefined || response === null) return { kind: 'all-succeeded' };
  if (typeof response !== 'object') return { kind: 'all-failed' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'all-succeeded' };
  if (!Array.isArray(failures)) return { kind: 'all-failed' };
  if (failures.length === 0) return { kind: 'all-succeeded' };
  const known = new Set(batchIds);
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !known.has(id)) return { kind: 'all-failed' };
    failedIds.add(id);
  }
  return { kind: 'some-failed', failedIds };
}
