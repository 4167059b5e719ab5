import { esc, raw } from '../../reporters/html/escape.ts';
import { dataTable, facts, statusBadge } from '../../reporters/html/kit.ts';

// The metrics stage's trace checks (extras.metrics.traces): per service, the
// requests and fault / error / throttle shares before and after the deploy,
// and the response-time percentile's medians. A service that served before
// and not after is marked gone.

interface ServiceStats {
  key: string;
  requests: number;
  faults: number;
  errors: number;
  throttles: number;
}

export interface TracesExtra {
  name: string;
  deployTime?: string;
  before?: ServiceStats[];
  after?: ServiceStats[];
  latency?: Array<{ service: string; status: string; medianBefore?: number; medianAfter?: number }>;
  error?: string;
}

const share = (n: number, of: number): string => (of ? `${((100 * n) / of).toFixed(2)}%` : '—');
const pair = (b: ServiceStats | undefined, a: ServiceStats | undefined, k: 'faults' | 'errors' | 'throttles'): string => `${b ? share(b[k], b.requests) : '—'} → ${a ? share(a[k], a.requests) : '—'}`;
const seconds = (v: number | undefined): string => (v === undefined ? '—' : `${+(v * 1000).toPrecision(4)} ms`);

export function tracesBlock(t: TracesExtra): string {
  const parts = [`<h4>${esc(t.name)}</h4>`, facts([['deploy time', t.deployTime ?? '—']])];
  if (t.error) return [...parts, `<p class="muted">No evidence: ${esc(t.error)}</p>`].join('\n');
  const before = t.before ?? [];
  const after = t.after ?? [];
  const keys = [...new Set([...before, ...after].map((s) => s.key))];
  const rows = keys.map((key) => {
    const b = before.find((s) => s.key === key);
    const a = after.find((s) => s.key === key);
    const lat = t.latency?.find((l) => l.service === key);
    const gone = (b?.requests ?? 0) > 0 && !(a?.requests ?? 0);
    return [
      gone ? raw(`${esc(key)} ${statusBadge('failed')} gone`) : key,
      b?.requests ?? 0,
      a?.requests ?? 0,
      pair(b, a, 'faults'),
      pair(b, a, 'errors'),
      pair(b, a, 'throttles'),
      lat ? raw(`${esc(`${seconds(lat.medianBefore)} → ${seconds(lat.medianAfter)}`)} ${statusBadge(lat.status)}`) : '—',
    ];
  });
  parts.push(rows.length ? dataTable(['service', 'requests before', 'requests after', 'faults', 'errors', 'throttles', 'response time (median per period)'], rows) : '<p class="muted">No service in the graph.</p>');
  return parts.join('\n');
}

/** The Traces part of the metrics section; '' when the stage read no traces. */
export function tracesPart(traces: readonly TracesExtra[] | undefined): string {
  if (!traces?.length) return '';
  return `<section id="extra-metrics-traces" class="sub"><h3>Traces</h3>${traces.map(tracesBlock).join('\n')}</section>`;
}
