/** Runs tasks a few at a time until a deadline, reporting the ones never started or not finished. */

export type TaskResult<R> =
  | { status: 'done'; value: R }
  /** Never started: time ran short before its turn. */
  | { status: 'not-started' }
  /** Started but not finished when the invocation had to return. */
  | { status: 'unfinished' };

/**
 * Runs `work` over `items` with at most `concurrency` in flight, in order of arrival.
 * - `canStart()` is asked before each item; once it says no, the remaining items are not started.
 * - At `giveUpAt` (epoch ms) the call returns whatever has finished; the rest are `unfinished`.
 * A rejected task is a programming error and rejects the whole run.
 */
export async function runWithConcurrency<T, R>(
  items: readonly T[],
  {
    concurrency,
    work,
    canStart = () => true,
    giveUpAt,
    now = Date.now,
  }: {
    concurrency: number;
    work: (item: T, index: number) => Promise<R>;
    canStart?: () => boolean;
    giveUpAt?: number;
    now?: () => number;
  },
): Promise<TaskResult<R>[]> {
  // Results are replaced, never changed: the shared states are safe to hand out.
  const results: TaskResult<R>[] = items.map(() => NOT_STARTED);
  let next = 0;
  let stopped = false;

  const lane = async () => {
    while (!stopped && next < items.length) {
      if (!canStart()) {
        stopped = true;
        return;
      }
      const index = next++;
      results[index] = UNFINISHED;
      const value = await work(items[index] as T, index);
      results[index] = { status: 'done', value };
    }
  };

  const lanes = Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (giveUpAt === undefined) {
    await lanes;
    return results;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, giveUpAt - now()));
  });
  try {
    await Promise.race([lanes, deadline]);
  } finally {
    clearTimeout(timer);
    stopped = true;
  }
  // A copy: tasks still running after the deadline must not change what was returned.
  return results.slice();
}

const NOT_STARTED: TaskResult<never> = Object.freeze({ status: 'not-started' });
const UNFINISHED: TaskResult<never> = Object.freeze({ status: 'unfinished' });
