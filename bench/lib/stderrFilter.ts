/**
 * Drops stderr lines that contain `needle` and counts them, until `restore()`. Used around the
 * end-to-end run, where Powertools warns on every invocation whose metrics another concurrent
 * invocation already flushed (the local runtime shares one Metrics instance between concurrent
 * invocations); the count goes into the report instead of flooding the progress output.
 */
export function filterStderr(needle: string): { count(): number; restore(): void } {
  const original = process.stderr.write.bind(process.stderr);
  let dropped = 0;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (text.includes(needle)) {
      dropped++;
      return true;
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return {
    count: () => dropped,
    restore: () => {
      process.stderr.write = original;
    },
  };
}
