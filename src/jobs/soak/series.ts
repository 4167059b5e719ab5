import type { SoakPlan, TickRecord } from './types.ts';

// Which series a soak trends, with their unit and allowed growth per hour,
// and the accumulator judge fills while streaming the journal once.

export interface SeriesSpec {
  name: string;
  unit: 'bytes' | 'ms' | 'ratio' | 'count';
  /** Allowed growth per hour; undefined = charted, not judged. */
  maxGrowthPerHour?: number;
  title: string;
}

export function seriesSpecs(plan: SoakPlan): SeriesSpec[] {
  const s = plan.soak;
  const out: SeriesSpec[] = [];
  if (plan.processMetricsUrl && s.process.memory) out.push({ name: 'memory', unit: 'bytes', maxGrowthPerHour: s.maxGrowthPerHour.memory, title: `Memory (${s.process.memory})` });
  if (s.probes.length) {
    out.push({ name: 'latency', unit: 'ms', maxGrowthPerHour: s.maxGrowthPerHour.latency, title: 'Probe latency (mean of successful probes)' });
    out.push({ name: 'errorRate', unit: 'ratio', maxGrowthPerHour: s.maxGrowthPerHour.errorRate, title: 'Probe error rate' });
  }
  if (plan.processMetricsUrl && s.process.openConnections) out.push({ name: 'openConnections', unit: 'count', maxGrowthPerHour: s.maxGrowthPerHour.openConnections, title: `Open connections (${s.process.openConnections})` });
  for (const q of s.queries) {
    const unit = q.kind === 'memory' ? 'bytes' : q.kind === 'latency' ? 'ms' : q.kind === 'errorRate' ? 'ratio' : 'count';
    const byKind = q.kind === 'gauge' ? undefined : s.maxGrowthPerHour[q.kind];
    const max = q.maxGrowthPerHour ?? byKind;
    out.push({ name: q.name, unit, ...(max !== undefined ? { maxGrowthPerHour: max } : {}), title: `${q.name}: ${q.query}` });
  }
  return out;
}

export interface SeriesData {
  points: Array<[number, number]>;
  /** Ticks (after warm-up) where the value could not be read, and the latest reason. */
  errors: number;
  lastError?: string;
  lastErrorAt?: string;
}

export interface AlarmTrack {
  name: string;
  severity: string;
  firstAlarmAt?: string;
  alarmTicks: number;
  last: { at: string; state: string; rawState: string };
}

export interface Accumulated {
  ticks: number;
  postWarmupTicks: number;
  firstAt?: string;
  lastAt?: string;
  series: Map<string, SeriesData>;
  probes: { total: number; failed: number; byName: Map<string, { total: number; failed: number; lastError?: string }> };
  alarms: Map<string, AlarmTrack>;
  /** Alarm reads that failed on the latest tick (by config index). */
  alarmErrors: Map<string, { count: number; last: string; lastAt: string }>;
  lastTick?: TickRecord;
}

export function newAccumulator(specs: readonly SeriesSpec[]): Accumulated {
  return {
    ticks: 0,
    postWarmupTicks: 0,
    series: new Map(specs.map((s) => [s.name, { points: [], errors: 0 }])),
    probes: { total: 0, failed: 0, byName: new Map() },
    alarms: new Map(),
    alarmErrors: new Map(),
  };
}

/** Fold one tick in (O(size of the tick)). Points before warm-up are not kept for trends. */
export function accumulate(acc: Accumulated, t: TickRecord, warmupEnd: number): void {
  acc.ticks++;
  acc.firstAt ??= t.at;
  acc.lastAt = t.at;
  acc.lastTick = t;
  const ms = Date.parse(t.at);
  const afterWarmup = ms >= warmupEnd;
  // Alarms count from the first tick: a critical alarm during warm-up still ends the soak.
  for (const a of t.alarms) {
    const track = acc.alarms.get(a.name) ?? { name: a.name, severity: a.severity, alarmTicks: 0, last: { at: t.at, state: a.state, rawState: a.rawState } };
    if (a.state === 'alarm') {
      track.alarmTicks++;
      track.firstAlarmAt ??= t.at;
    }
    track.last = { at: t.at, state: a.state, rawState: a.rawState };
    acc.alarms.set(a.name, track);
  }
  for (const [k, v] of Object.entries(t.errors)) {
    if (!k.startsWith('alarms.')) continue;
    const e = acc.alarmErrors.get(k) ?? { count: 0, last: v, lastAt: t.at };
    acc.alarmErrors.set(k, { count: e.count + 1, last: v, lastAt: t.at });
  }
  for (const [name, data] of acc.series) {
    if (t.values[name] !== undefined) continue;
    data.lastError = t.errors[name] ?? 'not measured';
    data.lastErrorAt = t.at;
  }
  if (!afterWarmup) return;
  acc.postWarmupTicks++;
  for (const p of t.probes) {
    acc.probes.total++;
    const byName = acc.probes.byName.get(p.name) ?? { total: 0, failed: 0 };
    byName.total++;
    if (!p.ok) {
      acc.probes.failed++;
      byName.failed++;
      byName.lastError = p.error ?? `HTTP ${p.status ?? '?'}`;
    }
    acc.probes.byName.set(p.name, byName);
  }
  for (const [name, data] of acc.series) {
    const v = t.values[name];
    if (v !== undefined && Number.isFinite(v)) data.points.push([ms, v]);
    else data.errors++;
  }
}

/** Bucket means, at most `max` points: enough for a chart, flat in size. */
export function downsample(points: ReadonlyArray<[number, number]>, max = 600): Array<[number, number]> {
  if (points.length <= max) return [...points];
  const out: Array<[number, number]> = [];
  const per = points.length / max;
  for (let i = 0; i < max; i++) {
    const from = Math.floor(i * per);
    const to = Math.max(from + 1, Math.floor((i + 1) * per));
    let st = 0;
    let sv = 0;
    for (let j = from; j < to; j++) {
      st += points[j]![0];
      sv += points[j]![1];
    }
    out.push([st / (to - from), sv / (to - from)]);
  }
  return out;
}
