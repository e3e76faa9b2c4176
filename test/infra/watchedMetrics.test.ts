import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/cdk/projectPaths';
import {
  METRICS_BY_SERVICE,
  METRICS_NAMESPACE,
  type PublishedMetric,
  publishedMetrics,
  SERVICE_DIMENSION,
  SERVICE_NAMES,
} from '../../shared/observability/metricCatalog';
import { buildTestStack, type CfnProperties } from './helpers/stackFactories';

/** A metric an alarm or a dashboard widget reads: namespace, name and the dimensions it selects. */
interface WatchedMetric {
  where: string;
  namespace: string;
  metricName: string;
  /** Dimension name → value; a SEARCH expression selects a schema, so its unconstrained names map to '*'. */
  dimensions: Record<string, string>;
}

/** Namespaces AWS publishes itself (Lambda, SQS, API Gateway, DynamoDB); their metrics need no code of ours. */
const AWS_NAMESPACE = /^AWS\//;

/** Why a watched metric is not published, or undefined when it is. */
function unpublishedReason(
  watched: WatchedMetric,
  published: readonly PublishedMetric[],
): string | undefined {
  if (AWS_NAMESPACE.test(watched.namespace)) return undefined;
  if (watched.namespace !== METRICS_NAMESPACE) return `namespace ${watched.namespace} is not ours`;
  const names = Object.keys(watched.dimensions).sort();
  const service = watched.dimensions[SERVICE_DIMENSION];
  const match = published.find(
    (p) =>
      p.service === service &&
      p.metricName === watched.metricName &&
      p.dimensionNames.join(',') === names.join(','),
  );
  if (match === undefined) {
    return `no function publishes ${watched.metricName} for service ${service} with dimensions [${names}]`;
  }
  for (const [name, value] of Object.entries(watched.dimensions)) {
    const known = match.dimensionValues?.[name];
    if (value !== '*' && known !== undefined && !known.includes(value)) {
      return `${watched.metricName} is never published with ${name}=${value} (known: ${known.join(', ')})`;
    }
  }
  return undefined;
}

/** `SEARCH('{Namespace,dim1,dim2} service="x" MetricName="Y"', ...)` → the metric schema it selects. */
function metricsOfSearch(expression: string, where: string): WatchedMetric[] {
  const found: WatchedMetric[] = [];
  for (const match of expression.matchAll(/SEARCH\('\{([^}]*)\}([^']*)'/g)) {
    // Names with special characters are double-quoted in a schema: {"AWS/DynamoDB",TableName,Operation}.
    const [namespace, ...dimensionNames] = (match[1] ?? '')
      .split(',')
      .map((part) => part.replace(/^"|"$/g, ''));
    const terms = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((t) => [t[1] as string, t[2] as string]),
    );
    const dimensions = Object.fromEntries(dimensionNames.map((name) => [name, terms[name] ?? '*']));
    found.push({ where, namespace: namespace ?? '', metricName: terms.MetricName ?? '', dimensions });
  }
  if (found.length === 0) throw new Error(`${where}: cannot read the expression ${expression}`);
  return found;
}

/**
 * Every metric the template's alarms read: a single metric, or each `MetricStat` (and SEARCH) of a
 * metric-math alarm. Math over other entries (`m1 + m2`) reads those entries, which are listed too.
 */
function metricsOfAlarms(resources: Record<string, CfnProperties>): WatchedMetric[] {
  const watched: WatchedMetric[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = resource.Properties as CfnProperties;
    const dimensionsOf = (list: { Name: string; Value: unknown }[] = []) =>
      Object.fromEntries(list.map((d) => [d.Name, typeof d.Value === 'string' ? d.Value : '<token>']));
    if (p.MetricName !== undefined) {
      watched.push({
        where: `alarm ${id}`,
        namespace: p.Namespace,
        metricName: p.MetricName,
        dimensions: dimensionsOf(p.Dimensions),
      });
    }
    for (const entry of (p.Metrics ?? []) as CfnProperties[]) {
      const metric = entry.MetricStat?.Metric;
      if (metric !== undefined) {
        watched.push({
          where: `alarm ${id}`,
          namespace: metric.Namespace,
          metricName: metric.MetricName,
          dimensions: dimensionsOf(metric.Dimensions),
        });
      } else if (typeof entry.Expression === 'string' && entry.Expression.includes('SEARCH(')) {
        watched.push(...metricsOfSearch(entry.Expression, `alarm ${id}`));
      }
    }
  }
  return watched;
}

/** The dashboard body is a `Fn::Join` of JSON text and tokens (region, ARNs); tokens become placeholders. */
function dashboardBodies(resources: Record<string, CfnProperties>): { id: string; body: CfnProperties }[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')
    .map(([id, r]) => {
      const raw = r.Properties.DashboardBody;
      const text =
        typeof raw === 'string'
          ? raw
          : (raw['Fn::Join'][1] as unknown[])
              .map((part) => (typeof part === 'string' ? part : '<token>'))
              .join('');
      return { id, body: JSON.parse(text) as CfnProperties };
    });
}

/**
 * Every metric a dashboard widget graphs: `[namespace, name, dim, value, ..., {options}]` entries and
 * SEARCH expressions (CloudWatch dashboard body structure:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 */
function metricsOfDashboards(resources: Record<string, CfnProperties>): WatchedMetric[] {
  const watched: WatchedMetric[] = [];
  for (const { id, body } of dashboardBodies(resources)) {
    for (const widget of body.widgets as CfnProperties[]) {
      const where = `dashboard ${id} widget "${widget.properties?.title ?? widget.type}"`;
      for (const entry of (widget.properties?.metrics ?? []) as unknown[][]) {
        const [first] = entry;
        if (typeof first === 'object' && first !== null) {
          const expression = (first as { expression?: string }).expression ?? '';
          if (expression.includes('SEARCH(')) watched.push(...metricsOfSearch(expression, where));
          continue;
        }
        const fields = entry.filter((value): value is string => typeof value === 'string');
        // CloudWatch allows "." to repeat the previous entry's value; CDK always writes values in full.
        if (fields.includes('.') || fields.includes('...')) throw new Error(`${where}: shorthand entry`);
        const [namespace, metricName, ...pairs] = fields;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
        watched.push({ where, namespace: namespace ?? '', metricName: metricName ?? '', dimensions });
      }
    }
  }
  return watched;
}

/** The TypeScript sources of one function (its folder is named after its service), comments removed. */
function functionSource(service: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  walk(join(projectRoot, 'functions', service));
  return files
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

describe('metrics watched by the alarms and the dashboard', () => {
  let watched: WatchedMetric[];
  beforeAll(() => {
    const resources = buildTestStack().template.toJSON().Resources as Record<string, CfnProperties>;
    watched = [...metricsOfAlarms(resources), ...metricsOfDashboards(resources)];
  });

  it('reads the custom metrics of every function from both the alarms and the dashboard', () => {
    const ours = watched.filter((w) => w.namespace === METRICS_NAMESPACE);
    expect(ours.filter((w) => w.where.startsWith('alarm')).length).toBeGreaterThanOrEqual(2);
    expect(new Set(ours.map((w) => w.dimensions[SERVICE_DIMENSION]))).toEqual(
      new Set([SERVICE_NAMES.eventMapper, SERVICE_NAMES.delivery]),
    );
    expect(ours).toContainEqual(
      expect.objectContaining({
        where: expect.stringMatching(/^alarm /),
        metricName: 'RecordsSkipped',
        dimensions: { service: SERVICE_NAMES.eventMapper, reason: 'no-image' },
      }),
    );
  });

  it('watches only metrics AWS publishes or the metric catalog says a function publishes', () => {
    const published = publishedMetrics();
    const problems = watched
      .map((w) => [w.where, unpublishedReason(w, published)])
      .filter(([, reason]) => reason !== undefined)
      .map(([where, reason]) => `${where}: ${reason}`);
    expect(problems).toEqual([]);
  });

  it('rejects a widget on a dimension set, a dimension value or a name no function publishes', () => {
    const published = publishedMetrics();
    const base = { where: 'test', namespace: METRICS_NAMESPACE };
    const mapper = SERVICE_NAMES.eventMapper;
    expect(
      unpublishedReason({ ...base, metricName: 'EventsOut', dimensions: { service: mapper } }, published),
    ).toMatch(/no function publishes EventsOut/);
    expect(
      unpublishedReason(
        { ...base, metricName: 'RecordsSkipped', dimensions: { service: mapper, reason: 'no-imag' } },
        published,
      ),
    ).toMatch(/never published with reason=no-imag/);
    expect(
      unpublishedReason({ ...base, metricName: 'Delivred', dimensions: { service: 'delivery' } }, published),
    ).toMatch(/no function publishes Delivred/);
    expect(
      unpublishedReason({ ...base, metricName: 'Delivered', dimensions: { service: 'delivery' } }, published),
    ).toBeUndefined();
  });
});

describe('the metric catalog against the functions', () => {
  it.each(Object.entries(METRICS_BY_SERVICE))(
    'every %s metric is named in that function’s code',
    (service, metrics) => {
      const source = functionSource(service);
      const missing = Object.keys(metrics).filter((name) => !source.includes(`'${name}'`));
      expect(missing).toEqual([]);
    },
  );

  it('no function spells the namespace itself', () => {
    for (const service of Object.values(SERVICE_NAMES)) {
      expect(functionSource(service)).not.toContain(`'${METRICS_NAMESPACE}'`);
    }
  });
});
