/**
 * The account's Lambda concurrency, shared by every function in the Region (default quota 1,000
 * concurrent executions): an invocation past it is throttled and the event source retries it.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const DEFAULT_ACCOUNT_CONCURRENCY = 1_000;

export class LambdaConcurrency {
  private running = 0;
  peak = 0;
  throttles = 0;

  constructor(readonly limit: number = DEFAULT_ACCOUNT_CONCURRENCY) {}

  get inUse(): number {
    return this.running;
  }

  /** Starts one execution, or counts a throttle and returns false. */
  tryAcquire(): boolean {
    if (this.running >= this.limit) {
      this.throttles += 1;
      return false;
    }
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    return true;
  }

  release(): void {
    this.running -= 1;
  }
}
