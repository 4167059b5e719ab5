import { errorMessage } from '../../core/errors.ts';
import type { CheckStatus } from '../../core/types.ts';
import type { MetricSource, Series } from '../../sources/types.ts';
import { mannWhitneyU, type MannWhitneyResult } from '../../stats/index.ts';
import type { ComparisonConfig } from './config.ts';
import { toQuery } from '../../sources/build.ts';

// Before/after: the same query over a window before the deploy and one after
// it, Mann–Whitney U plus an effect-size floor (Kayenta's pairing). Both
// windows' values go into the report — the baseline Keptn users never saw.

export interface ComparisonOutcome {
  status: CheckStatus;
  message: string;
  deployTime: string;
  before: Array<[number, number]>;
  after: Array<[number, number]>;
  test?: MannWhitneyResult;
  medianBefore?: number;
  medianAfter?: number;
  floor?: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One series per window: a query returning several is summed per timestamp (say what you mean with sum() by). */
function flatten(series: readonly Series[]): Array<[number, number]> {
  if (series.length === 1) return series[0]!.points.filter(([, v]) => Number.isFinite(v));
  const byT = new Map<number, number>();
  for (const s of series) for (const [t, v] of s.points) if (Number.isFinite(v)) byT.set(t, (byT.get(t) ?? 0) + v);
  return [...byT.entries()].sort((a, b) => a[0] - b[0]);
}

/** Judge two windows (pure). */
export function judgeWindows(cmp: Pick<ComparisonConfig, 'direction' | 'minEffect' | 'confidence' | 'minSamples'>, before: Array<[number, number]>, after: Array<[number, number]>, deployTime: string): ComparisonOutcome {
  const base = { deployTime, before, after };
  if (before.length < cmp.minSamples || after.length < cmp.minSamples) {
    return { ...base, status: 'errored', message: `not enough data: ${before.length} values before the deploy, ${after.length} after (need ${cmp.minSamples} each)` };
  }
  const b = before.map(([, v]) => v);
  const a = after.map(([, v]) => v);
  const test = mannWhitneyU(b, a, { confidence: cmp.confidence });
  const medianBefore = median(b);
  const medianAfter = median(a);
  const floor = Math.max(cmp.minEffect.absolute, cmp.minEffect.relative * Math.abs(medianBefore));
  const shift = test.hodgesLehmann;
  const significant = test.pValue < 1 - cmp.confidence && (test.ci[0] > 0 || test.ci[1] < 0);
  const bad = cmp.direction === 'either' || (cmp.direction === 'increase' ? shift > 0 : shift < 0);
  const summary = `median ${fmt(medianBefore)} before → ${fmt(medianAfter)} after; shift ${fmt(shift)} (${Math.round(cmp.confidence * 100)}% CI ${fmt(test.ci[0])}…${fmt(test.ci[1])}), p=${test.pValue.toPrecision(3)}, floor ${fmt(floor)}`;
  const failed = significant && bad && Math.abs(shift) > floor;
  return { ...base, status: failed ? 'failed' : 'passed', message: `${failed ? 'worse after the deploy' : 'no harmful shift'}: ${summary}`, test, medianBefore, medianAfter, floor };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 1000 || Math.abs(n) < 0.01 ? n.toPrecision(3) : String(Math.round(n * 1000) / 1000);
}

export interface RunComparisonOptions {
  deployTime: number;
  now: number;
  signal?: AbortSignal;
}

export async function runComparison(cmp: ComparisonConfig, source: MetricSource, opts: RunComparisonOptions): Promise<ComparisonOutcome> {
  const deployIso = new Date(opts.deployTime).toISOString();
  const q = toQuery(cmp);
  const signal = opts.signal ? { signal: opts.signal } : {};
  try {
    const afterEnd = Math.min(opts.now, opts.deployTime + cmp.window);
    const [beforeSeries, afterSeries] = await Promise.all([
      source.range(q, { start: opts.deployTime - cmp.window, end: opts.deployTime - 1, stepMs: cmp.step, ...signal }),
      afterEnd > opts.deployTime ? source.range(q, { start: opts.deployTime, end: afterEnd, stepMs: cmp.step, ...signal }) : Promise.resolve([]),
    ]);
    return judgeWindows(cmp, flatten(beforeSeries), flatten(afterSeries), deployIso);
  } catch (err) {
    return { status: 'errored', message: errorMessage(err), deployTime: deployIso, before: [], after: [] };
  }
}
