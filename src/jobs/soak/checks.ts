import type { CheckResult, Severity } from '../../core/types.ts';
import { mannWhitneyU, olsSlope } from '../../stats/index.ts';
import { formatRate, formatValue } from './format.ts';
import type { Accumulated, SeriesData, SeriesSpec } from './series.ts';
import type { SoakPlan } from './types.ts';

// Soak checks from the accumulated journal (pure): a trend (OLS slope with
// its interval: a leak is a lower bound above the allowed growth per hour),
// early vs late windows (Mann–Whitney U), probe availability and alarms.

const STAGE = 'soak';
const HOUR = 3_600_000;

export interface TrendResult {
  name: string;
  unit: string;
  n: number;
  slopePerHour?: number;
  ci?: [number, number];
  /** The fitted line at the first post-warm-up point, and where the allowance lets it reach by the last one. */
  fitStart?: { at: number; value: number };
  allowedEnd?: { at: number; value: number };
  allowedPerHour?: number;
  early?: { n: number; median: number };
  late?: { n: number; median: number };
  shift?: number;
  shiftCi?: [number, number];
  pValue?: number;
}

function check(id: string, title: string, severity: Severity, status: CheckResult['status'], message: string, extra: Partial<CheckResult> = {}): CheckResult {
  return { id: `${STAGE}.${id}`, stage: STAGE, title, severity, status, message, durationMs: 0, attempts: 1, evidence: [], ...extra };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function trendChecks(spec: SeriesSpec, data: SeriesData, plan: SoakPlan, startMs: number): { checks: CheckResult[]; trend: TrendResult } {
  const soak = plan.soak;
  const trend: TrendResult = { name: spec.name, unit: spec.unit, n: data.points.length, ...(spec.maxGrowthPerHour !== undefined ? { allowedPerHour: spec.maxGrowthPerHour } : {}) };
  if (spec.maxGrowthPerHour === undefined) return { checks: [], trend };
  const allowed = spec.maxGrowthPerHour;
  const total = data.points.length + data.errors;
  const lastErr = data.lastError ? ` (last: ${data.lastError})` : '';
  if (data.points.length < soak.minTicks) {
    const msg = `${spec.name}: ${data.points.length} value(s) after warm-up, need ${soak.minTicks}${data.errors ? `; unreadable on ${data.errors} of ${total} ticks` : ''}${lastErr}`;
    return { checks: [check(`trend.${spec.name}`, `${spec.title}: no leak or drift`, 'major', 'errored', msg)], trend };
  }
  if (data.errors > total / 2) {
    return { checks: [check(`trend.${spec.name}`, `${spec.title}: no leak or drift`, 'major', 'errored', `${spec.name}: unreadable on ${data.errors} of ${total} ticks after warm-up${lastErr}`)], trend };
  }
  const pts = data.points.map(([t, v]) => ({ x: (t - startMs) / HOUR, y: v }));
  const checks: CheckResult[] = [];
  const evidenceSeries = { kind: 'metric' as const, label: `${spec.name} after warm-up`, data: { unit: spec.unit, n: pts.length } };
  try {
    const ols = olsSlope(pts, { confidence: soak.confidence });
    trend.slopePerHour = ols.slope;
    trend.ci = ols.ci;
    const x0 = pts[0]!.x;
    const x1 = pts[pts.length - 1]!.x;
    trend.fitStart = { at: startMs + x0 * HOUR, value: ols.intercept + ols.slope * x0 };
    trend.allowedEnd = { at: startMs + x1 * HOUR, value: trend.fitStart.value + allowed * (x1 - x0) };
    const pct = Math.round(soak.confidence * 100);
    const desc = `${spec.name} ${ols.slope >= 0 ? 'grows' : 'falls'} ${formatRate(ols.slope, spec.unit)} (${pct}% CI ${formatRate(ols.ci[0], spec.unit)} … ${formatRate(ols.ci[1], spec.unit)}, n=${ols.n}); allowed ${formatRate(allowed, spec.unit)}`;
    const leak = ols.ci[0] > allowed;
    checks.push(
      check(`trend.${spec.name}`, `${spec.title}: no leak or drift`, 'major', leak ? 'failed' : 'passed', leak ? `${spec.name === 'memory' ? 'memory leak' : 'drift'}: ${desc}` : desc, {
        observed: ols.slope,
        limit: allowed,
        unit: `${spec.unit}/h`,
        evidence: [{ ...evidenceSeries, data: { ...evidenceSeries.data, slopePerHour: ols.slope, ci: ols.ci, r2: ols.r2 } }],
      }),
    );
  } catch (err) {
    checks.push(check(`trend.${spec.name}`, `${spec.title}: no leak or drift`, 'major', 'errored', `${spec.name}: ${err instanceof Error ? err.message : String(err)}`));
  }

  // Early vs late: the same question without assuming a straight line.
  const k = Math.floor(data.points.length * soak.earlyLate.fraction);
  if (k >= 3) {
    const early = data.points.slice(0, k);
    const late = data.points.slice(-k);
    const ev = early.map(([, v]) => v);
    const lv = late.map(([, v]) => v);
    // 500 × 500 order statistics are plenty for the shift estimate; keeps judge flat on long soaks.
    const mw = mannWhitneyU(ev, lv, { confidence: soak.earlyLate.confidence, maxPairs: 250_000 });
    const mEarly = median(ev);
    const hoursApart = (median(late.map(([t]) => t)) - median(early.map(([t]) => t))) / HOUR;
    const floor = Math.max(soak.earlyLate.minEffectRelative * Math.abs(mEarly), allowed * hoursApart);
    const worse = mw.pValue < 1 - soak.earlyLate.confidence && mw.ci[0] > 0 && mw.hodgesLehmann > floor;
    trend.early = { n: ev.length, median: mEarly };
    trend.late = { n: lv.length, median: median(lv) };
    trend.shift = mw.hodgesLehmann;
    trend.shiftCi = mw.ci;
    trend.pValue = mw.pValue;
    const desc = `${spec.name} early median ${formatValue(mEarly, spec.unit)} → late ${formatValue(median(lv), spec.unit)}; shift ${formatValue(mw.hodgesLehmann, spec.unit)} (CI ${formatValue(mw.ci[0], spec.unit)} … ${formatValue(mw.ci[1], spec.unit)}), p=${mw.pValue.toPrecision(3)}, floor ${formatValue(floor, spec.unit)}`;
    checks.push(
      check(`drift.${spec.name}`, `${spec.title}: late window no worse than early`, 'major', worse ? 'failed' : 'passed', worse ? `late worse than early: ${desc}` : desc, {
        observed: mw.hodgesLehmann,
        limit: floor,
        unit: spec.unit,
      }),
    );
  }
  return { checks, trend };
}

export function probeCheck(acc: Accumulated, plan: SoakPlan): CheckResult[] {
  if (!plan.soak.probes.length) return [];
  const { total, failed } = acc.probes;
  const title = 'Soak probes answer';
  if (total === 0) return [check('probes', title, 'major', 'errored', 'no probe ran after warm-up')];
  const rate = failed / total;
  const detail = [...acc.probes.byName.entries()].filter(([, v]) => v.failed).map(([n, v]) => `${n} ${v.failed}/${v.total} (${v.lastError ?? ''})`).join('; ');
  const bad = rate > plan.soak.maxProbeErrorRate;
  return [
    check('probes', title, 'major', bad ? 'failed' : 'passed', `${failed} of ${total} probes failed (${(rate * 100).toFixed(2)}%, allowed ${(plan.soak.maxProbeErrorRate * 100).toFixed(2)}%)${detail ? `: ${detail}` : ''}`, {
      observed: rate,
      limit: plan.soak.maxProbeErrorRate,
      unit: 'ratio',
    }),
  ];
}

export function alarmChecks(acc: Accumulated, plan: SoakPlan): CheckResult[] {
  const out: CheckResult[] = [];
  const lastAt = acc.lastAt;
  for (const a of acc.alarms.values()) {
    const severity = (['critical', 'major', 'minor'].includes(a.severity) ? a.severity : 'critical') as Severity;
    const id = `alarm.${a.name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}`;
    const title = `Alarm ${a.name} never fired during the soak`;
    if (a.firstAlarmAt) {
      out.push(check(id, title, severity, 'failed', `alarm ${a.name} in ALARM on ${a.alarmTicks} tick(s), first at ${a.firstAlarmAt}${severity === 'critical' ? ': critical alarm, soak ended early' : ''}`, { observed: 'ALARM', limit: 'OK' }));
    } else if (a.last.state !== 'ok' || a.last.at !== lastAt) {
      out.push(check(id, title, severity, 'errored', `alarm ${a.name} is ${a.last.rawState} at ${a.last.at} (no evidence it is OK)`));
    } else {
      out.push(check(id, title, severity, 'passed', `alarm ${a.name} OK on every reading`));
    }
  }
  plan.alarms.forEach((cfg, i) => {
    const e = acc.alarmErrors.get(`alarms.${i}`);
    if (e && e.lastAt === lastAt) out.push(check(`alarms.${i}`, `Alarms ${[...cfg.names, ...cfg.prefixes.map((p) => `${p}*`)].join(', ')} readable`, cfg.severity, 'errored', `cannot read alarms on the latest tick (${e.count} failed reads): ${e.last}`));
  });
  return out;
}
