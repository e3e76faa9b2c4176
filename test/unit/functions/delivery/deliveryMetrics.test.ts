import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { powertoolsDeliveryMetrics } from '../../../../functions/delivery/deliveryMetrics';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

const lines: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
const originalDisabled = process.env.POWERTOOLS_METRICS_DISABLED;

beforeEach(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  lines.length = 0;
  process.stdout.write = ((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
});

afterEach(() => {
  process.stdout.write = originalWrite;
  process.env.POWERTOOLS_METRICS_DISABLED = originalDisabled;
});

describe('powertoolsDeliveryMetrics (EMF)', () => {
  it('publishes counters and latency in the CrmWebhooks namespace, failures also split by cause', () => {
    const metrics = new Metrics({
      namespace: 'CrmWebhooks',
      serviceName: 'delivery',
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const delivery = powertoolsDeliveryMetrics(metrics);

    delivery.count('DeliveryAttempts');
    delivery.count('DeliveryFailed', { cause: 'http-5xx' });
    delivery.latency(42);
    delivery.flush();
    metrics.publishStoredMetrics();

    const emf = lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as EmfLine);
    const byCause = emf.find((line) => line.cause === 'http-5xx');
    expect(byCause?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'CrmWebhooks',
      Dimensions: [expect.arrayContaining(['service', 'cause'])],
      Metrics: [{ Name: 'DeliveryFailed', Unit: 'Count' }],
    });
    const totals = emf.find((line) => line.cause === undefined);
    expect(totals).toMatchObject({
      DeliveryAttempts: 1,
      DeliveryFailed: 1,
      DeliveryLatency: 42,
      service: 'delivery',
    });
    expect(totals?._aws.CloudWatchMetrics[0]?.Metrics).toEqual(
      expect.arrayContaining([{ Name: 'DeliveryLatency', Unit: 'Milliseconds' }]),
    );
  });

  it('tallies counts until flush: one value per name and cause, every latency kept', () => {
    const metrics = new Metrics({
      namespace: 'CrmWebhooks',
      serviceName: 'delivery',
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const delivery = powertoolsDeliveryMetrics(metrics);
    for (let i = 0; i < 10; i++) delivery.count('DeliveryAttempts');
    delivery.count('DeliveryFailed', { cause: 'http-5xx' });
    delivery.count('DeliveryFailed', { cause: 'http-5xx' });
    delivery.count('DeliveryFailed', { cause: 'timeout' });
    delivery.latency(42);
    delivery.latency(7);
    expect(metrics.hasStoredMetrics()).toBe(false);

    delivery.flush();
    metrics.publishStoredMetrics();
    delivery.flush(); // nothing left: a second flush adds nothing
    expect(metrics.hasStoredMetrics()).toBe(false);

    const emf = lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as EmfLine);
    expect(emf.find((line) => line.cause === undefined)).toMatchObject({
      DeliveryAttempts: 10,
      DeliveryFailed: 3,
      DeliveryLatency: [42, 7],
    });
    expect(emf.find((line) => line.cause === 'http-5xx')).toMatchObject({ DeliveryFailed: 2 });
    expect(emf.find((line) => line.cause === 'timeout')).toMatchObject({ DeliveryFailed: 1 });
    expect(emf).toHaveLength(3);
  });
});
