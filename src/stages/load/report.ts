import { histogram, lineChart } from '../../reporters/html/charts.ts';
import { esc, raw } from '../../reporters/html/escape.ts';
import { dataTable, facts, statusBadge } from '../../reporters/html/kit.ts';
import type { LoadSummary } from './results.ts';
import type { SectionRenderer } from '../../reporters/html/section.ts';

// The load stage's extra: corrected vs uncorrected percentiles, throughput,
// errors, per-request table, latency over time and the latency histogram.

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export const loadSection: SectionRenderer = {
  title: 'Load',
  render(value: unknown): string {
    const s = value as LoadSummary;
    const c = s.latency.corrected;
    const u = s.latency.uncorrected;
    const parts: string[] = [];
    parts.push(
      facts([
        ['scenario', `${s.scenario} (${s.file})`],
        ['duration', `${(num(s.durationMs) / 1000).toFixed(1)} s`],
        ['throughput', `${num(s.throughput).toFixed(1)} req/s`],
        ['requests', `${s.completed} done · ${s.dropped} dropped · ${s.failed} failed (${(num(s.errorRate) * 100).toFixed(2)}%)`],
        ['send lag p99', `${num(s.sendLag?.p99).toFixed(1)} ms`],
        ['segments', s.segments ?? (s.segment ? `${s.segment.index}/${s.segment.total}` : undefined)],
        ['run', s.valid ? 'valid' : `INVALID: ${s.invalidReason ?? ''}`],
        ['stopped early', s.abort?.reason],
      ]),
    );
    parts.push(
      '<h3>Latency (ms)</h3>' +
        dataTable(
          ['measured from', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
          [
            ['intended start (corrected, SLA)', c.p50, c.p90, c.p95, c.p99, c.p999, c.max],
            ['socket write (uncorrected)', u.p50, u.p90, u.p95, u.p99, u.p999, u.max],
            ...generatorRows(s),
          ],
        ),
    );
    if (s.thresholds?.length) {
      parts.push(
        '<h3>Thresholds</h3>' +
          dataTable(
            ['metric', 'threshold', 'observed', 'unit', 'result'],
            s.thresholds.map((t) => [t.key, t.expr, t.observed ?? '–', t.unit, rawBadge(t.ok === null ? 'errored' : t.ok ? 'passed' : 'failed')]),
          ),
      );
    }
    parts.push(
      '<h3>Requests</h3>' +
        dataTable(
          ['request', 'method', 'count', 'failed', 'dropped', 'p50', 'p95', 'p99 corrected', 'p99 uncorrected'],
          s.requests.map((r) => [r.name, r.method, r.count, r.failed, r.dropped, r.corrected.p50, r.corrected.p95, r.corrected.p99, r.uncorrected.p99]),
        ),
    );
    parts.push(`<p class="muted">Status codes: ${esc(Object.entries(s.statusCodes).map(([k, v]) => `${k === '0' ? 'network error' : k} × ${v}`).join(', '))}</p>`);
    if (s.series?.length) {
      const pts = (k: 'p50' | 'p95' | 'p99') => s.series.map((w) => ({ x: w.t, y: w[k] }));
      parts.push(
        lineChart({
          title: 'Latency over time (corrected, per window)',
          yUnit: 'ms',
          xKind: 'seconds',
          series: [
            { name: 'p50', points: pts('p50') },
            { name: 'p95', points: pts('p95') },
            { name: 'p99', points: pts('p99') },
          ],
        }),
      );
    }
    if (s.histogram?.length) {
      parts.push(histogram({ title: 'Latency distribution (corrected)', unit: 'ms', buckets: s.histogram.map((b) => ({ le: b.leMs, count: b.count })) }));
    }
    if (s.capacity) parts.push('<h3>Capacity (closed loop — not an SLA figure)</h3>' + `<pre>${esc(JSON.stringify(s.capacity, null, 2))}</pre>`);
    if (s.baseline) parts.push('<h3>Baseline comparison</h3>' + `<pre>${esc(JSON.stringify(s.baseline, null, 2))}</pre>`);
    return parts.join('\n');
  },
};

/** The generator's own lateness beside the target's latencies: what the latency checks were judged against. */
function generatorRows(s: LoadSummary): Array<Array<string | number>> {
  const g = s.generator;
  if (!g?.measured) return [];
  const bound = g.tightestBoundMs !== undefined ? `; allowed ${(g.share * g.tightestBoundMs).toFixed(1)} ms for the tightest bound ${g.tightestBoundMs} ms` : '';
  return [
    ['generator: send lag', g.sendLag.p50, '', '', g.sendLag.p99, '', g.sendLag.max],
    ['generator: event-loop delay', g.eventLoopDelay.p50, '', '', g.eventLoopDelay.p99, '', g.eventLoopDelay.max],
    [`generator: busy ${Math.round(g.busy * 100)} % (busiest thread ${Math.round(g.maxBusy * 100)} %)${bound}`, '', '', '', '', '', ''],
  ];
}

function rawBadge(status: string): ReturnType<typeof raw> {
  return raw(statusBadge(status));
}
