import { lineChart } from './charts.ts';
import { esc } from './escape.ts';
import { dataTable, facts } from './kit.ts';
import type { SectionRenderer } from './section.ts';

// The soak's timeline: one chart per series (values, the warm-up end and the
// soak start marked, the level the allowed growth permits by the end as a threshold),
// the trend figures, and alarms over the soak.

interface SoakExtra {
  id?: string;
  final?: boolean;
  startedAt?: string;
  endsAt?: string;
  warmupEndsAt?: string;
  ended?: { at: string; reason: string; message: string } | null;
  ticks?: number;
  skippedLines?: number;
  series?: Array<{
    name: string;
    title: string;
    unit: string;
    allowedPerHour: number | null;
    points: Array<[number, number]>;
    errors: number;
    trend?: { slopePerHour?: number; ci?: [number, number]; early?: { median: number }; late?: { median: number }; pValue?: number; allowedEnd?: { at: number; value: number } };
  }>;
  alarms?: Array<{ name: string; severity: string; firstAlarmAt?: string; alarmTicks: number; last: { at: string; rawState: string } }>;
  probes?: { total: number; failed: number };
}

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) >= 1000 ? v.toExponential(3) : String(+v.toPrecision(4)));

export const soakSection: SectionRenderer = {
  title: 'Soak timeline',
  render(value: unknown): string {
    const v = (value ?? {}) as SoakExtra;
    const markers: Array<{ x: number; label: string }> = [];
    if (v.startedAt) markers.push({ x: Date.parse(v.startedAt), label: 'soak start (deploy)' });
    if (v.warmupEndsAt) markers.push({ x: Date.parse(v.warmupEndsAt), label: 'warm-up ends' });
    if (v.ended) markers.push({ x: Date.parse(v.ended.at), label: `ended: ${v.ended.reason}` });
    const parts = [
      facts([
        ['soak', v.id],
        ['verdict kind', v.final ? 'final' : 'interim (soak still running)'],
        ['window', `${v.startedAt ?? '?'} → ${v.endsAt ?? '?'}`],
        ['ticks', v.ticks],
        ['torn lines skipped', v.skippedLines || undefined],
        ['ended', v.ended?.message],
        ['probes', v.probes ? `${v.probes.failed} failed of ${v.probes.total}` : undefined],
      ]),
      dataTable(
        ['series', 'slope / h', 'CI', 'allowed / h', 'early median', 'late median', 'p (early vs late)', 'unreadable ticks'],
        (v.series ?? []).map((s) => [s.name, fmt(s.trend?.slopePerHour), s.trend?.ci ? `${fmt(s.trend.ci[0])} … ${fmt(s.trend.ci[1])}` : '—', s.allowedPerHour ?? '—', fmt(s.trend?.early?.median), fmt(s.trend?.late?.median), fmt(s.trend?.pValue), s.errors]),
      ),
    ];
    for (const s of v.series ?? []) {
      parts.push(
        lineChart({
          title: `${s.title} (${s.unit})`,
          yUnit: s.unit === 'bytes' ? 'B' : s.unit === 'ratio' ? '' : s.unit === 'count' ? '' : s.unit,
          series: [{ name: s.name, points: s.points.map(([x, y]) => ({ x, y })) }],
          markers: markers.filter((m) => Number.isFinite(m.x)),
          // The level the allowed growth per hour lets the series reach by the last tick.
          ...(s.trend?.allowedEnd && Number.isFinite(s.trend.allowedEnd.value) ? { thresholds: [{ y: s.trend.allowedEnd.value, label: 'allowed growth by the end' }] } : {}),
        }),
      );
    }
    if (v.alarms?.length) {
      parts.push('<h3>Alarms</h3>', dataTable(['alarm', 'severity', 'ticks in ALARM', 'first ALARM', 'last state'], v.alarms.map((a) => [a.name, a.severity, a.alarmTicks, a.firstAlarmAt ?? '—', `${a.last.rawState} at ${a.last.at}`])));
    }
    return parts.join('\n') + (v.final ? '' : `<p class="muted">${esc('Interim verdict: the soak is still running.')}</p>`);
  },
};
