import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import type { CheckResult } from '../core/types.ts';
import { aggLabel, compare, parseExpression, parseMetricKey, type MetricName } from './thresholds.ts';

// A k6 summary (the JSON `handleSummary` writes) → pdv checks, with the same
// check ids as a native run of the same thresholds. Unlike k6, a threshold
// over a metric with no samples is errored here, never passed (#1346, #1526).

interface K6Metric {
  type: 'trend' | 'rate' | 'counter' | 'gauge';
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Summary {
  metrics: Record<string, K6Metric>;
  state?: { testRunDurationMs?: number };
}

function isMetric(v: unknown): v is K6Metric {
  if (!v || typeof v !== 'object') return false;
  const m = v as Record<string, unknown>;
  return typeof m.type === 'string' && ['trend', 'rate', 'counter', 'gauge'].includes(m.type) && !!m.values && typeof m.values === 'object';
}

export function parseK6Summary(text: string, file: string): K6Summary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`not JSON: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  if (!json || typeof json !== 'object' || !('metrics' in json) || !json.metrics || typeof json.metrics !== 'object') {
    throw new UsageError('not a k6 summary: no "metrics" object (write it with handleSummary, e.g. `pdv load export-k6`)', file);
  }
  for (const [name, m] of Object.entries(json.metrics as Record<string, unknown>)) {
    if (!isMetric(m)) throw new UsageError(`metric "${name}" has no type/values`, `${file}: metrics.${name}`);
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      if (!t || typeof t !== 'object' || typeof (t as { ok?: unknown }).ok !== 'boolean') {
        throw new UsageError(`threshold "${expr}" has no boolean "ok"`, `${file}: metrics.${name}.thresholds`);
      }
    }
  }
  return json as K6Summary;
}

/** Cheap sniff used to route `--import` files: true only for something that parses as a k6 summary. */
export function isK6SummaryFile(file: string): boolean {
  try {
    parseK6Summary(readFileSync(file, 'utf8'), file);
    return true;
  } catch {
    return false;
  }
}

function noSamples(m: K6Metric): boolean {
  if (m.type === 'rate') return (m.values.passes ?? 0) + (m.values.fails ?? 0) === 0 && ('passes' in m.values || 'fails' in m.values);
  if (m.type === 'trend') return Object.keys(m.values).length === 0 || ((m.values.count ?? 1) === 0);
  return false;
}

export function k6Checks(summary: K6Summary, file: string, defaults: { severity: 'critical' | 'major' | 'minor'; onFail?: 'rollback' | 'hold' | 'warn' }): CheckResult[] {
  const checks: CheckResult[] = [];
  for (const [key, m] of Object.entries(summary.metrics)) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const where = `${file}: metrics["${key}"]`;
      let metricKnown: MetricName | undefined;
      try {
        metricKnown = parseMetricKey(key, where).metric;
      } catch {
        metricKnown = undefined; // custom k6 metric: still imported, judged by k6's own ok flag
      }
      let observed: number | null = null;
      let limit: number | null = null;
      let label = expr;
      try {
        const p = parseExpression(expr, metricKnown ?? (m.type === 'trend' ? 'http_req_duration' : m.type === 'rate' ? 'http_req_failed' : 'http_reqs'), where);
        limit = p.limit;
        const vkey = p.agg.kind === 'p' ? `p(${p.agg.p})` : p.agg.kind;
        const v = m.values[vkey];
        observed = typeof v === 'number' ? v : null;
        label = `${aggLabel(p.agg)}=${observed ?? '–'}`;
        if (observed !== null && compare(observed, p.op, p.limit) !== t.ok) label += ' (k6 and pdv disagree; k6 ok flag kept)';
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
      }
      const empty = noSamples(m) || (m.type === 'trend' && observed === null);
      checks.push({
        id: `load.threshold.${slugK(key)}.${slugK(expr)}`,
        stage: 'load',
        title: `${key} ${expr} (k6)`,
        severity: defaults.severity,
        ...(defaults.onFail ? { onFail: defaults.onFail } : {}),
        status: empty ? 'errored' : t.ok ? 'passed' : 'failed',
        message: empty ? `no samples for ${key} in the k6 summary: a threshold over nothing is no evidence (k6 says ok=${t.ok})` : `${label}, limit ${expr} (k6 summary)`,
        durationMs: summary.state?.testRunDurationMs ?? 0,
        attempts: 1,
        observed,
        limit,
        unit: m.contains === 'time' ? 'ms' : m.type === 'rate' ? 'ratio' : 'count',
        tags: ['load', 'threshold', 'k6'],
        evidence: [{ kind: 'metric', label: `k6 ${key}`, data: m.values }],
      });
    }
  }
  return checks;
}

/** Same slugs as native threshold checks (stages/load/results.ts), so ids line up. */
export function slugK(s: string): string {
  return s
    .replace(/<=/g, '-le-')
    .replace(/>=/g, '-ge-')
    .replace(/</g, '-lt-')
    .replace(/>/g, '-gt-')
    .replace(/!=/g, '-ne-')
    .replace(/={2,3}/g, '-eq-')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/\./g, '_')
    .replace(/^-+|-+$/g, '');
}

export async function k6SummaryChecks(file: string, defaults: { severity: 'critical' | 'major' | 'minor'; onFail?: 'rollback' | 'hold' | 'warn' }): Promise<CheckResult[]> {
  const { readFile } = await import('node:fs/promises');
  return k6Checks(parseK6Summary(await readFile(file, 'utf8'), file), file, defaults);
}
