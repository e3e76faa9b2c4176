import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { describe, expect, it, vi } from 'vitest';
import { publishMetrics } from '../../../../shared/observability/publishMetrics';

/** Two invocations overlapping on one Metrics instance, as in the local runtime. */
async function overlappingInvocations(use: (metrics: Metrics) => middy.MiddlewareObj) {
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m), debug() {}, error() {}, info() {} };
  const metrics = new Metrics({ namespace: 'CrmWebhooks', serviceName: 'delivery', logger });
  const published: string[] = [];
  // Keeps the EMF blobs off the test output; what is flushed is recorded below.
  vi.spyOn(metrics, 'serializeMetrics').mockReturnValue({} as ReturnType<Metrics['serializeMetrics']>);
  const originalPublish = metrics.publishStoredMetrics.bind(metrics);
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    published.push(metrics.hasStoredMetrics() ? 'with metrics' : 'empty');
    return originalPublish();
  });
  let releaseFirst: () => void = () => undefined;
  const first = middy(async () => {
    metrics.addMetric('Delivered', MetricUnit.Count, 1);
    await new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
  }).use(use(metrics));
  const second = middy(async () => {
    metrics.addMetric('Delivered', MetricUnit.Count, 1);
  }).use(use(metrics));
  const running = first({}, {} as never);
  await new Promise((r) => setTimeout(r, 5));
  const quick = second({}, {} as never);
  await quick;
  releaseFirst();
  await running;
  return { warnings, published };
}

describe('publishMetrics', () => {
  it('publishes each stored count once and never warns about an empty flush when invocations overlap', async () => {
    const { warnings, published } = await overlappingInvocations((m) => publishMetrics(m));
    expect(published).toEqual(['with metrics']);
    expect(warnings).toEqual([]);
  });

  it("is needed: Powertools' logMetrics warns on the overlapped, empty flush", async () => {
    const { warnings, published } = await overlappingInvocations((m) => logMetrics(m));
    expect(published).toEqual(['with metrics', 'empty']);
    expect(warnings.some((w) => w.startsWith('No application metrics to publish'))).toBe(true);
  });
});
