import { UsageError } from '../core/errors.ts';
import type { ScenarioFile } from './scenario.ts';

// k6 threshold syntax: `'metric{tag:value,…}': ['p(95)<300', { threshold, abortOnFail, delayAbortEval }]`.
// Parsed once, up front, so a typo is a usage error before any traffic is sent.

export const METRICS = {
  http_req_duration: { type: 'trend', unit: 'ms' },
  /** pdv extra: latency from the actual socket write (closed-loop view; for comparison only). */
  http_req_duration_uncorrected: { type: 'trend', unit: 'ms' },
  http_req_failed: { type: 'rate', unit: 'ratio' },
  http_reqs: { type: 'counter', unit: 'count' },
  dropped_iterations: { type: 'counter', unit: 'count' },
} as const;
export type MetricName = keyof typeof METRICS;

export const TAG_KEYS = ['name', 'expected_response', 'method', 'scenario'] as const;
export type TagFilter = Partial<Record<(typeof TAG_KEYS)[number], string>>;

export type Aggregation = { kind: 'p'; p: number } | { kind: 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' };
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ParsedThreshold {
  /** The metric key as written, e.g. `http_req_duration{name:list projects}`. */
  key: string;
  /** The expression as written, e.g. `p(95)<300`. */
  expr: string;
  metric: MetricName;
  tags: TagFilter;
  agg: Aggregation;
  op: Operator;
  limit: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  severity?: 'critical' | 'major' | 'minor';
  onFail?: 'rollback' | 'hold' | 'warn';
}

const KEY_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\{([^}]*)\})?\s*$/;
const EXPR_RE = /^\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|min|max|med|rate|count)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

const ALLOWED_AGG: Record<string, ReadonlyArray<Aggregation['kind']>> = {
  trend: ['p', 'avg', 'min', 'max', 'med'],
  rate: ['rate'],
  counter: ['count', 'rate'],
};

export function parseMetricKey(key: string, where: string): { metric: MetricName; tags: TagFilter } {
  const m = KEY_RE.exec(key);
  if (!m) throw new UsageError(`threshold metric "${key}" is not \`name\` or \`name{tag:value}\``, where);
  const metric = m[1] as string;
  if (!(metric in METRICS)) {
    throw new UsageError(`unknown metric "${metric}" (known: ${Object.keys(METRICS).join(', ')})`, where);
  }
  const tags: TagFilter = {};
  for (const part of (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    if (i <= 0) throw new UsageError(`tag filter "${part}" in "${key}" is not tag:value`, where);
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (!(TAG_KEYS as readonly string[]).includes(k)) {
      throw new UsageError(`tag "${k}" in "${key}" cannot be filtered on (known: ${TAG_KEYS.join(', ')})`, where);
    }
    if (k === 'expected_response' && v !== 'true' && v !== 'false') {
      throw new UsageError(`expected_response must be true or false in "${key}"`, where);
    }
    tags[k as keyof TagFilter] = v;
  }
  return { metric: metric as MetricName, tags };
}

export function parseExpression(expr: string, metric: MetricName, where: string): { agg: Aggregation; op: Operator; limit: number } {
  const m = EXPR_RE.exec(expr);
  if (!m) throw new UsageError(`threshold "${expr}" is not \`aggregation op number\` (e.g. p(95)<300, rate<0.01)`, where);
  const head = (m[1] as string).toLowerCase();
  const agg: Aggregation = head.startsWith('p(') ? { kind: 'p', p: Number(m[2]) } : { kind: head as 'avg' };
  if (agg.kind === 'p' && (agg.p <= 0 || agg.p > 100)) throw new UsageError(`percentile in "${expr}" must be in (0, 100]`, where);
  const type = METRICS[metric].type;
  if (!(ALLOWED_AGG[type] ?? []).includes(agg.kind)) {
    throw new UsageError(`"${head}" does not apply to ${type} metric ${metric} in "${expr}" (use ${(ALLOWED_AGG[type] ?? []).join(', ')})`, where);
  }
  const limit = Number(m[4]);
  checkLimit(limit, agg, metric, expr, where);
  return { agg, op: m[3] as Operator, limit };
}

/** No request lives this long: a latency limit past it can never fail. */
export const MAX_LATENCY_LIMIT_MS = 3_600_000;

/** A limit that cannot fail (or cannot pass) decides nothing: refuse it with the reason. */
function checkLimit(limit: number, agg: Aggregation, metric: MetricName, expr: string, where: string): void {
  if (!Number.isFinite(limit)) throw new UsageError(`limit in "${expr}" is not a finite number`, where);
  if (limit < 0) throw new UsageError(`limit in "${expr}" is negative; ${metric} never is`, where);
  const { type } = METRICS[metric];
  if (type === 'rate' && agg.kind === 'rate' && limit > 1) throw new UsageError(`"${expr}": ${metric} is a share of requests, its limit must be between 0 and 1 (0.01 = 1 %)`, where);
  if (type === 'trend' && limit > MAX_LATENCY_LIMIT_MS) throw new UsageError(`"${expr}": ${limit} ms is longer than any request lives (at most ${MAX_LATENCY_LIMIT_MS} ms) — an absurd limit that can never fail`, where);
}

/** Parse every threshold of a scenario file; `file` names the source in errors. */
export function parseThresholds(thresholds: ScenarioFile['thresholds'], file: string): ParsedThreshold[] {
  const out: ParsedThreshold[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const where = `${file}: thresholds["${key}"]`;
    const { metric, tags } = parseMetricKey(key, where);
    for (const item of list) {
      const obj = typeof item === 'string' ? { threshold: item, abortOnFail: false } : item;
      const parsed = parseExpression(obj.threshold, metric, where);
      out.push({
        key: key.trim(),
        expr: obj.threshold.trim(),
        metric,
        tags,
        ...parsed,
        abortOnFail: obj.abortOnFail ?? false,
        delayAbortEvalMs: 'delayAbortEval' in obj && typeof obj.delayAbortEval === 'number' ? obj.delayAbortEval : 0,
        ...('severity' in obj && obj.severity ? { severity: obj.severity } : {}),
        ...('onFail' in obj && obj.onFail ? { onFail: obj.onFail } : {}),
      });
    }
  }
  return out;
}

export function compare(observed: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
    case '===':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

export function aggLabel(agg: Aggregation): string {
  return agg.kind === 'p' ? `p(${agg.p})` : agg.kind;
}
