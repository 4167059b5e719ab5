import { CloudWatchSource } from './cloudwatch.ts';
import { PrometheusSource } from './prometheus.ts';
import { ScrapeSource } from './scrape.ts';
import type { MetricQuery, MetricSource } from './types.ts';
import { UsageError } from '../core/errors.ts';
import type { SourceConfig } from './config.ts';

// Builds the configured sources. With none configured, one `target` source
// reads the target's own /metrics (instant queries only): the fallback when
// no Prometheus is at hand.

export interface SourceEnv {
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  awsRegion?: string;
  /** Tests inject a CloudWatch client here. */
  cloudWatchClient?: ConstructorParameters<typeof CloudWatchSource>[0] extends infer O ? (O extends { client?: infer C } ? C : never) : never;
}

export function targetMetricsUrl(baseUrl: string, path = '/metrics'): string {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

export function buildSources(config: { sources: Record<string, SourceConfig> }, where: SourceEnv): Map<string, MetricSource> {
  const out = new Map<string, MetricSource>();
  for (const [name, s] of Object.entries(config.sources)) {
    if (s.type === 'prometheus') {
      const url = where.env[s.urlEnv] || s.url;
      if (!url) throw new UsageError(`no URL: set url or $${s.urlEnv}`, `stages.metrics.sources.${name}`);
      out.set(name, new PrometheusSource({ name, url, timeoutMs: s.timeout }));
    } else if (s.type === 'cloudwatch') {
      const region = s.region ?? where.awsRegion ?? where.env.AWS_REGION;
      out.set(name, new CloudWatchSource({ name, ...(region ? { region } : {}), ...(s.namespace ? { namespace: s.namespace } : {}), ...(where.cloudWatchClient ? { client: where.cloudWatchClient } : {}) }));
    } else {
      out.set(name, new ScrapeSource({ name, url: s.url ?? targetMetricsUrl(where.baseUrl), timeoutMs: s.timeout }));
    }
  }
  if (out.size === 0) out.set('target', new ScrapeSource({ name: 'target', url: targetMetricsUrl(where.baseUrl) }));
  return out;
}

export function pickSource(sources: Map<string, MetricSource>, name: string | undefined, field: string): MetricSource {
  if (name === undefined) return sources.values().next().value as MetricSource;
  const s = sources.get(name);
  if (!s) throw new UsageError(`unknown source "${name}" (configured: ${[...sources.keys()].join(', ')})`, field);
  return s;
}

export function toQuery(q: { query: string; metrics?: Array<{ id: string; namespace?: string; metricName: string; dimensions?: Record<string, string>; stat: string; period?: number }>; period?: number }): MetricQuery {
  return {
    expr: q.query,
    ...(q.metrics ? { metrics: q.metrics.map((m) => ({ id: m.id, metricName: m.metricName, stat: m.stat, ...(m.namespace ? { namespace: m.namespace } : {}), ...(m.dimensions ? { dimensions: m.dimensions } : {}), ...(m.period ? { periodSec: m.period } : {}) })) } : {}),
    ...(q.period ? { periodSec: q.period } : {}),
  };
}
