import { addInto, newHistogram, type Histogram } from './histogram.ts';
import type { Cell, Recorder } from './recorder.ts';
import { compare, METRICS, type ParsedThreshold, type TagFilter } from './thresholds.ts';

// Thresholds are evaluated on the exact sum of the matching cells. A metric
// with no samples yields `observed: null` — the caller reports it as errored,
// never as passed (k6 passes those silently: #1346, #1526).

export interface ThresholdResult {
  threshold: ParsedThreshold;
  /** In the metric's unit (ms, ratio, count, req/s); null when there were no samples. */
  observed: number | null;
  ok: boolean | null;
  samples: number;
  unit: string;
}

function matches(c: { scenario: string; name: string; method?: string; expected?: boolean }, tags: TagFilter): boolean {
  if (tags.name !== undefined && c.name !== tags.name) return false;
  if (tags.scenario !== undefined && c.scenario !== tags.scenario) return false;
  if (tags.method !== undefined && c.method !== undefined && c.method.toUpperCase() !== tags.method.toUpperCase()) return false;
  if (tags.expected_response !== undefined && c.expected !== undefined && String(c.expected) !== tags.expected_response) return false;
  return true;
}

export function selectCells(rec: Recorder, tags: TagFilter): Cell[] {
  return [...rec.cells.values()].filter((c) => matches(c, tags));
}

export function mergedHistogram(cells: Cell[], which: 'corrected' | 'uncorrected'): Histogram {
  const h = newHistogram(3);
  for (const c of cells) addInto(h, c[which]);
  return h;
}

export function evaluateThreshold(t: ParsedThreshold, rec: Recorder, elapsedMs: number): ThresholdResult {
  const unit = t.metric === 'http_reqs' || t.metric === 'dropped_iterations' ? (t.agg.kind === 'rate' ? 'req/s' : 'count') : METRICS[t.metric].unit;
  const done = (observed: number | null, samples: number): ThresholdResult => ({
    threshold: t,
    observed,
    samples,
    unit,
    ok: observed === null ? null : compare(observed, t.op, t.limit),
  });
  const cells = selectCells(rec, t.tags);
  const count = cells.reduce((a, c) => a + c.count, 0);
  const seconds = Math.max(elapsedMs, 1) / 1000;
  switch (t.metric) {
    case 'http_req_duration':
    case 'http_req_duration_uncorrected': {
      if (count === 0) return done(null, 0);
      const h = mergedHistogram(cells, t.metric === 'http_req_duration' ? 'corrected' : 'uncorrected');
      const us =
        t.agg.kind === 'p' ? h.getValueAtPercentile(t.agg.p)
        : t.agg.kind === 'med' ? h.getValueAtPercentile(50)
        : t.agg.kind === 'min' ? h.minNonZeroValue
        : t.agg.kind === 'max' ? h.maxValue
        : h.mean;
      return done(Math.round(us) / 1000, count);
    }
    case 'http_req_failed': {
      if (count === 0) return done(null, 0);
      const failed = cells.filter((c) => !c.expected).reduce((a, c) => a + c.count, 0);
      return done(failed / count, count);
    }
    case 'http_reqs':
      if (count === 0) return done(null, 0);
      return done(t.agg.kind === 'rate' ? count / seconds : count, count);
    case 'dropped_iterations': {
      // Zero dropped is a real observation once anything was planned.
      if (rec.planned === 0) return done(null, 0);
      let dropped = 0;
      for (const [key, n] of rec.dropped) {
        const [scenario = '', name = ''] = key.split('\u0000');
        if (matches({ scenario, name }, { ...t.tags, method: undefined, expected_response: undefined })) dropped += n;
      }
      return done(t.agg.kind === 'rate' ? dropped / seconds : dropped, rec.planned);
    }
  }
}

export function evaluateAll(ts: ParsedThreshold[], rec: Recorder, elapsedMs: number): ThresholdResult[] {
  return ts.map((t) => evaluateThreshold(t, rec, elapsedMs));
}
