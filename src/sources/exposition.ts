import type { Labels } from './types.ts';

// The Prometheus text exposition format (version 0.0.4), as far as pdv needs
// it: one sample per line, `name{l="v",…} value [timestamp]`; comments and
// HELP/TYPE lines are skipped. Small enough that a dependency would cost more
// than it saves (the npm parsers for it are unmaintained).

export interface ExpositionSample {
  name: string;
  labels: Labels;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;

export function parseExposition(text: string): ExpositionSample[] {
  const out: ExpositionSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const value = parseValue(m[3]!);
    out.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value });
  }
  return out;
}

function parseValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}

/** `a="x",b="y\"z"` → { a: 'x', b: 'y"z' } (escapes: \\ \" \n). */
export function parseLabels(body: string): Labels {
  const labels: Labels = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body)) !== null) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (re.lastIndex >= body.length) break;
  }
  return labels;
}

export interface Selector {
  /** Optional aggregation over the matching samples. */
  agg?: 'sum' | 'min' | 'max' | 'avg' | 'count';
  name: string;
  matchers: Array<{ label: string; op: '=' | '!=' | '=~' | '!~'; value: string }>;
}

const SELECTOR = /^\s*(?:(sum|min|max|avg|count)\s*\(\s*)?([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^}]*)\})?\s*(\))?\s*$/;

/** A PromQL subset a scrape can answer: `name{l="v",l2=~"re"}`, optionally inside sum/min/max/avg/count(…). */
export function parseSelector(expr: string): Selector | undefined {
  const m = SELECTOR.exec(expr);
  if (!m || Boolean(m[1]) !== Boolean(m[4])) return undefined;
  const matchers: Selector['matchers'] = [];
  if (m[3]?.trim()) {
    const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/gy;
    let mm: RegExpExecArray | null;
    let consumed = 0;
    while ((mm = re.exec(m[3])) !== null) {
      matchers.push({ label: mm[1]!, op: mm[2] as Selector['matchers'][number]['op'], value: mm[3]!.replace(/\\(.)/g, '$1') });
      consumed = re.lastIndex;
      if (consumed >= m[3].length) break;
    }
    if (consumed < m[3].trimEnd().length) return undefined;
  }
  return { ...(m[1] ? { agg: m[1] as Selector['agg'] } : {}), name: m[2]!, matchers };
}

export function selectSamples(samples: readonly ExpositionSample[], sel: Selector): ExpositionSample[] {
  const regexes = new Map(sel.matchers.filter((m) => m.op.includes('~')).map((m) => [m, new RegExp(`^(?:${m.value})$`)]));
  return samples.filter(
    (s) =>
      s.name === sel.name &&
      sel.matchers.every((m) => {
        const v = s.labels[m.label] ?? '';
        if (m.op === '=') return v === m.value;
        if (m.op === '!=') return v !== m.value;
        const ok = regexes.get(m)!.test(v);
        return m.op === '=~' ? ok : !ok;
      }),
  );
}

export function aggregate(values: readonly number[], agg: NonNullable<Selector['agg']>): number | undefined {
  if (agg === 'count') return values.length;
  if (values.length === 0) return undefined;
  if (agg === 'sum') return values.reduce((a, b) => a + b, 0);
  if (agg === 'avg') return values.reduce((a, b) => a + b, 0) / values.length;
  return agg === 'min' ? Math.min(...values) : Math.max(...values);
}
