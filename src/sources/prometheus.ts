import { errorMessage } from '../core/errors.ts';
import { SourceError, withTimeout, type Alarm, type AlarmSelector, type Labels, type MetricQuery, type MetricSource, type QueryOptions, type Sample, type Series } from './types.ts';

// Prometheus HTTP API v1: /query, /query_range, /rules, /alerts.

export interface PrometheusOptions {
  name?: string;
  url: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

interface ApiEnvelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

type VectorValue = [number, string];
interface QueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}
interface RuleData {
  groups: Array<{ name: string; rules: Array<{ type: string; name: string; state?: string; health?: string; lastError?: string; labels?: Labels; alerts?: Array<{ state: string; activeAt?: string; value?: string; labels?: Labels }> }> }>;
}
interface AlertsData {
  alerts: Array<{ labels: Labels; state: string; activeAt?: string; value?: string }>;
}

function num(v: string): number {
  // Prometheus encodes NaN and ±Inf as strings; Number() understands "NaN", "+Inf" needs help.
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus' as const;
  readonly name: string;
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: PrometheusOptions) {
    this.name = opts.name ?? 'prometheus';
    this.endpoint = opts.url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.doFetch = opts.fetch ?? fetch;
  }

  private async get<T>(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const url = `${this.endpoint}${path}?${new URLSearchParams(params).toString()}`;
    let res: Response;
    try {
      res = await this.doFetch(url, { headers: { accept: 'application/json', ...this.opts.headers }, signal: withTimeout(signal, this.timeoutMs) });
    } catch (err) {
      throw new SourceError(this.name, `cannot reach ${this.endpoint}${path}: ${errorMessage(err)}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    let body: ApiEnvelope<T> | undefined;
    try {
      body = JSON.parse(text) as ApiEnvelope<T>;
    } catch {
      body = undefined;
    }
    if (!res.ok || !body || body.status !== 'success' || body.data === undefined) {
      const why = body?.error ? `${body.errorType ?? 'error'}: ${body.error}` : text.slice(0, 200);
      throw new SourceError(this.name, `${path} answered ${res.status}${why ? ` (${why})` : ''}`);
    }
    return body.data;
  }

  async instant(query: MetricQuery, opts: QueryOptions & { at?: number } = {}): Promise<Sample[]> {
    const at = opts.at ?? Date.now();
    const data = await this.get<QueryData>('/api/v1/query', { query: query.expr, time: String(at / 1000) }, opts.signal);
    if (data.resultType === 'scalar') {
      const [t, v] = data.result as VectorValue;
      return [{ labels: {}, value: num(v), at: t * 1000 }];
    }
    if (data.resultType !== 'vector') throw new SourceError(this.name, `instant query returned a ${data.resultType}, expected a vector or scalar: ${query.expr}`);
    return (data.result as Array<{ metric: Labels; value: VectorValue }>).map((r) => ({ labels: r.metric, value: num(r.value[1]), at: r.value[0] * 1000 }));
  }

  async range(query: MetricQuery, opts: QueryOptions & { start: number; end: number; stepMs: number }): Promise<Series[]> {
    const data = await this.get<QueryData>(
      '/api/v1/query_range',
      { query: query.expr, start: String(opts.start / 1000), end: String(opts.end / 1000), step: String(Math.max(opts.stepMs, 1) / 1000) },
      opts.signal,
    );
    if (data.resultType !== 'matrix') throw new SourceError(this.name, `range query returned a ${data.resultType}: ${query.expr}`);
    return (data.result as Array<{ metric: Labels; values: VectorValue[] }>).map((r) => ({
      labels: r.metric,
      points: r.values.map(([t, v]) => [t * 1000, num(v)] as [number, number]),
    }));
  }

  /**
   * Alert rules matching the selector, with their state. Rules come from
   * /api/v1/rules (every rule, firing or not, so "OK" is evidence too);
   * active instances from /api/v1/alerts are attached as the reason. A rule
   * that has not been evaluated yet, or whose evaluation failed, is
   * `insufficient` — no evidence, never OK.
   */
  async alarms(selector: AlarmSelector, opts: QueryOptions = {}): Promise<Alarm[]> {
    const [rules, active] = await Promise.all([
      this.get<RuleData>('/api/v1/rules', { type: 'alert' }, opts.signal),
      this.get<AlertsData>('/api/v1/alerts', {}, opts.signal),
    ]);
    const names = new Set(selector.names ?? []);
    const prefixes = selector.prefixes ?? [];
    const out: Alarm[] = [];
    for (const group of rules.groups) {
      for (const rule of group.rules) {
        if (rule.type !== 'alerting') continue;
        if (!names.has(rule.name) && !prefixes.some((p) => rule.name.startsWith(p))) continue;
        const instances = active.alerts.filter((a) => a.labels.alertname === rule.name);
        const raw = rule.state ?? 'unknown';
        let state: Alarm['state'] = raw === 'firing' ? 'alarm' : raw === 'pending' ? 'pending' : 'ok';
        let reason = instances.length ? instances.map((a) => `${a.state} since ${a.activeAt ?? '?'} value ${a.value ?? '?'}`).join('; ') : undefined;
        if (rule.health === 'err') {
          state = 'insufficient';
          reason = `rule evaluation failed: ${rule.lastError ?? 'unknown error'}`;
        } else if (rule.health === 'unknown' && state === 'ok') {
          state = 'insufficient';
          reason = 'rule not evaluated yet';
        }
        const since = instances[0]?.activeAt;
        out.push({ name: rule.name, state, rawState: rule.health === 'ok' || !rule.health ? raw : `${raw}/${rule.health}`, ...(reason ? { reason } : {}), ...(since ? { since } : {}), ...(rule.labels ? { labels: rule.labels } : {}) });
      }
    }
    return out;
  }
}
