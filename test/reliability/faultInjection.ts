import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import type { LocalHandlers } from '../../infra/local/localRuntime';

/** How an invocation dies. "after-half" and "timeout-half" do real work on the first half of the batch first. */
export type CrashMode = 'throw-before' | 'throw-after-half' | 'throw-after-all' | 'timeout-half';

class InjectedCrash extends Error {
  constructor(mode: CrashMode) {
    super(`injected crash (${mode})`);
    this.name = 'InjectedCrash';
  }
}

export interface CrashCounts {
  invocations: number;
  crashes: Record<CrashMode, number>;
}

const zero = (): CrashCounts => ({
  invocations: 0,
  crashes: { 'throw-before': 0, 'throw-after-half': 0, 'throw-after-all': 0, 'timeout-half': 0 },
});

/**
 * Wraps a real handler so that some invocations crash partway through a batch (like a Lambda that runs
 * out of memory or time). A batch whose records were already in a crashed invocation is never crashed
 * again, so the retries Lambda (here, the pollers) makes can finish the work: the test then proves that
 * nothing was lost on the way. `timeout-half` outlives the function timeout, so the poller sees a timeout.
 */
function crashingHandler<TEvent extends { Records: TRecord[] }, TRecord>(
  handler: (event: TEvent, context: Context) => Promise<unknown>,
  {
    recordKey,
    modes,
    shouldCrash,
  }: {
    recordKey: (record: TRecord) => string;
    modes: readonly CrashMode[];
    shouldCrash: () => boolean;
  },
): { handler: (event: TEvent, context: Context) => Promise<unknown>; counts: CrashCounts } {
  const counts = zero();
  const crashedBefore = new Set<string>();
  let next = 0;
  const wrapped = async (event: TEvent, context: Context) => {
    counts.invocations++;
    const keys = event.Records.map(recordKey);
    if (keys.some((key) => crashedBefore.has(key)) || !shouldCrash()) return handler(event, context);
    for (const key of keys) crashedBefore.add(key);
    const mode = modes[next++ % modes.length] as CrashMode;
    counts.crashes[mode]++;
    const half = { ...event, Records: event.Records.slice(0, Math.ceil(event.Records.length / 2)) };
    switch (mode) {
      case 'throw-before':
        break;
      case 'throw-after-half':
        await handler(half, context);
        break;
      case 'throw-after-all':
        await handler(event, context);
        break;
      case 'timeout-half':
        await handler(half, context);
        await new Promise((r) => setTimeout(r, Math.max(0, context.getRemainingTimeInMillis()) + 500));
        break;
    }
    throw new InjectedCrash(mode);
  };
  return { handler: wrapped, counts };
}

/** The real handlers with crashes composed around the event mapper and the delivery function. */
export function withCrashes(
  handlers: LocalHandlers,
  options: { mapperShouldCrash: () => boolean; deliveryShouldCrash: () => boolean },
): { handlers: LocalHandlers; mapper: CrashCounts; delivery: CrashCounts } {
  const mapper = crashingHandler<DynamoDBStreamEvent, DynamoDBStreamEvent['Records'][number]>(
    handlers.eventMapper,
    {
      recordKey: (record) => `${record.eventSourceARN}#${record.dynamodb?.SequenceNumber}`,
      // A mapper timeout is 60 s here: too slow for a test, and a throw after the work is the same case.
      modes: ['throw-before', 'throw-after-half', 'throw-after-all'],
      shouldCrash: options.mapperShouldCrash,
    },
  );
  const delivery = crashingHandler<SQSEvent, SQSEvent['Records'][number]>(handlers.delivery, {
    recordKey: (record) => record.messageId,
    modes: ['throw-before', 'throw-after-half', 'throw-after-all', 'timeout-half'],
    shouldCrash: options.deliveryShouldCrash,
  });
  return {
    handlers: {
      ...handlers,
      eventMapper: mapper.handler as LocalHandlers['eventMapper'],
      delivery: delivery.handler as LocalHandlers['delivery'],
    },
    mapper: mapper.counts,
    delivery: delivery.counts,
  };
}
