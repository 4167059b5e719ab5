import { lineChart } from '../../reporters/html/charts.ts';
import { esc } from '../../reporters/html/escape.ts';
import { dataTable, facts } from '../../reporters/html/kit.ts';

// The metrics stage's log checks (extras.metrics.logs): the error share per
// step before and after the deploy on one chart, and the new error
// signatures with one example each. The examples were redacted when the
// stage emitted its extra; this only draws them.

export interface LogsExtra {
  name: string;
  source: string;
  deployTime: string;
  before?: { lines: number; errors: number; rate: Array<[number, number]> };
  after?: { lines: number; errors: number; rate: Array<[number, number]> };
  newSignatures?: Array<{ fingerprint?: string; signature: string; count: number; example: string }>;
  error?: string;
}

const share = (w?: { lines: number; errors: number }): string => (w ? `${w.errors} / ${w.lines} lines${w.lines ? ` (${((100 * w.errors) / w.lines).toFixed(2)}%)` : ''}` : '—');

/** One log source's block; '' for nothing to show. */
export function logsBlock(l: LogsExtra): string {
  const deploy = Date.parse(l.deployTime);
  const parts = [`<h4>${esc(l.name)}</h4>`, facts([['source', l.source], ['deploy time', l.deployTime], ['errors before', share(l.before)], ['errors after', share(l.after)]])];
  if (l.error) return [...parts, `<p class="muted">No evidence: ${esc(l.error)}</p>`].join('\n');
  parts.push(
    lineChart({
      title: `${l.name}: error share per step`,
      yUnit: 'ratio',
      series: [
        { name: 'before deploy', points: (l.before?.rate ?? []).map(([x, y]) => ({ x, y })) },
        { name: 'after deploy', points: (l.after?.rate ?? []).map(([x, y]) => ({ x, y })) },
      ],
      ...(Number.isFinite(deploy) ? { markers: [{ x: deploy, label: 'deploy' }] } : {}),
    }),
  );
  const sigs = l.newSignatures ?? [];
  parts.push(
    sigs.length
      ? `<h5>New error signatures (absent before the deploy)</h5>${dataTable(['signature', 'count', 'example'], sigs.map((s) => [s.signature, s.count, s.example]))}`
      : '<p class="muted">No error signature appeared after the deploy that was absent before it.</p>',
  );
  return parts.join('\n');
}

/** The Logs part of the metrics section; '' when the stage read no logs. */
export function logsPart(logs: readonly LogsExtra[] | undefined): string {
  if (!logs?.length) return '';
  return `<section id="extra-metrics-logs" class="sub"><h3>Logs</h3>${logs.map(logsBlock).join('\n')}</section>`;
}
