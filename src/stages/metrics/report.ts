import { lineChart } from '../../reporters/html/charts.ts';
import { esc } from '../../reporters/html/escape.ts';
import { dataTable, facts, statusBadge } from '../../reporters/html/kit.ts';
import type { SectionRenderer } from '../../reporters/html/section.ts';
import { logsPart, type LogsExtra } from './report-logs.ts';
import { tracesPart, type TracesExtra } from './report-traces.ts';

// The metrics stage's extra: alarm states, each rule's measurements (a chart
// of the values it judged) and each before/after comparison with both
// windows' values and the deploy time marked — the baseline shown, not hidden.
// Logs and traces, when the stage read them, follow in their own parts.

interface MetricsExtra {
  deployTime?: string;
  sources?: Array<{ name: string; kind: string; endpoint: string }>;
  alarms?: Array<{ name: string; state: string; rawState: string; reason?: string }>;
  rules?: Array<{ id: string; name: string; source: string; query: string; successCondition?: string; failureCondition?: string; dryRun?: boolean; status: string; measurements: Array<{ at: string; phase: string; values: number[]; message?: string }> }>;
  comparisons?: Array<{ id: string; name: string; query: string; status: string; message: string; before: Array<[number, number]>; after: Array<[number, number]>; medianBefore?: number; medianAfter?: number; floor?: number }>;
  logs?: LogsExtra[];
  traces?: TracesExtra[];
}

export const metricsSection: SectionRenderer = {
  title: 'Metrics and alarms',
  render(value: unknown): string {
    const v = (value ?? {}) as MetricsExtra;
    const deploy = v.deployTime ? Date.parse(v.deployTime) : Number.NaN;
    const parts: string[] = [facts([['deploy time', v.deployTime ?? '—'], ['sources', (v.sources ?? []).map((s) => `${s.name} (${s.kind}) ${s.endpoint}`).join(', ') || '—']])];
    if (v.alarms?.length) parts.push('<h3>Alarms</h3>', dataTable(['alarm', 'state', 'detail'], v.alarms.map((a) => [a.name, a.rawState, a.reason ?? ''])));
    for (const r of v.rules ?? []) {
      const pts = r.measurements.flatMap((m) => (m.values.length ? [{ x: Date.parse(m.at), y: m.values[0]! }] : []));
      parts.push(
        `<h3>Rule ${statusBadge(r.status)} ${esc(r.name)}${r.dryRun ? ' (dry run)' : ''}</h3>`,
        facts([['query', `${r.source}: ${r.query}`], ['success', r.successCondition ?? '—'], ['failure', r.failureCondition ?? '—']]),
        pts.length > 1 ? lineChart({ title: r.name, yUnit: '', series: [{ name: r.name, points: pts }] }) : '',
        dataTable(['at', 'phase', 'values', 'message'], r.measurements.map((m) => [m.at, m.phase, m.values.join(', '), m.message ?? ''])),
      );
    }
    for (const c of v.comparisons ?? []) {
      parts.push(
        `<h3>Before/after ${statusBadge(c.status)} ${esc(c.name)}</h3>`,
        `<p>${esc(c.message)}</p>`,
        lineChart({
          title: c.query,
          yUnit: '',
          series: [
            { name: 'before deploy', points: c.before.map(([x, y]) => ({ x, y })) },
            { name: 'after deploy', points: c.after.map(([x, y]) => ({ x, y })) },
          ],
          ...(c.medianBefore !== undefined ? { thresholds: [{ y: c.medianBefore, label: 'median before' }] } : {}),
          ...(Number.isFinite(deploy) ? { markers: [{ x: deploy, label: 'deploy' }] } : {}),
        }),
      );
    }
    parts.push(logsPart(v.logs), tracesPart(v.traces));
    return parts.join('\n');
  },
};
