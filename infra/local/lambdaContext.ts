/** A Lambda context and invocation for the local runtime, with the function's timeout counting down. */

import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

const LOCAL_ACCOUNT = '000000000000';

export interface LambdaFunctionSettings {
  functionName: string;
  /** The function's configured timeout: `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs: number;
  memoryLimitInMB?: number;
  region?: string;
}

/**
 * A context shaped like the one Lambda passes to every invocation, so Powertools' `injectLambdaContext`
 * and handlers that budget their time with `getRemainingTimeInMillis()` behave as they do on AWS.
 */
export function createLambdaContext(settings: LambdaFunctionSettings, now = Date.now()): Context {
  const region = settings.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const deadline = now + settings.timeoutMs;
  const awsRequestId = randomUUID();
  const noop = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryLimitInMB ?? 1024),
    awsRequestId,
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

/** Any Lambda handler in the async style the project's functions use. */
export type LambdaHandler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: Context,
) => Promise<TResult>;

class LambdaTimeoutError extends Error {
  constructor(functionName: string, timeoutMs: number) {
    super(`${functionName} timed out after ${timeoutMs} ms`);
    this.name = 'LambdaTimeoutError';
  }
}

/**
 * Invokes a handler like Lambda does: with a fresh context, failing the invocation when it runs past
 * the function's timeout (the handler's own work is not interrupted: there is no sandbox to freeze).
 */
export async function invokeLambda<TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
  event: TEvent,
  settings: LambdaFunctionSettings,
): Promise<TResult> {
  const context = createLambdaContext(settings);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LambdaTimeoutError(settings.functionName, settings.timeoutMs)),
      settings.timeoutMs,
    );
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
