import type { CheckResult, Evidence, VerdictReport } from '../../core/types.ts';
import { checkAnchor, formatDuration, isExcused } from '../format.ts';
import { html, isImage, raw, safeHref } from './escape.ts';

const MAX_INLINE = 20_000;

function clip(text: string): string {
  return text.length > MAX_INLINE ? `${text.slice(0, MAX_INLINE)}\n… (${text.length - MAX_INLINE} more characters)` : text;
}

function pretty(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Links to a check's evidence files and URLs (for the reasons list). */
export function evidenceLinks(evidence: readonly Evidence[]): string {
  return evidence
    .flatMap((e) => {
      const href = e.kind === 'file' ? safeHref(e.path) : e.kind === 'link' && /^https?:/i.test(e.url ?? '') ? safeHref(e.url) : undefined;
      return href ? [html`<a href="${href}">${e.label}</a>`] : [];
    })
    .join(', ');
}

export function renderEvidence(e: Evidence): string {
  if (e.kind === 'file' && e.path) {
    const href = safeHref(e.path);
    if (!href) return html`<div>${e.label}: <code>${e.path}</code></div>`;
    if (isImage(e.path, e.contentType)) {
      return html`<div><a href="${href}">${e.label}</a><a href="${href}"><img src="${href}" alt="${e.label}" loading="lazy"></a></div>`;
    }
    return html`<div><a href="${href}">${e.label}</a></div>`;
  }
  if (e.kind === 'link' && e.url) {
    const href = /^https?:/i.test(e.url) ? safeHref(e.url) : undefined;
    return href ? html`<div><a href="${href}" rel="noreferrer">${e.label}</a></div>` : html`<div>${e.label}: <code>${e.url}</code></div>`;
  }
  const body = e.text !== undefined && e.data === undefined ? e.text : pretty(e.data ?? e.text ?? '');
  return html`<details><summary>${e.label}</summary><pre>${clip(body)}</pre></details>`;
}

function measure(c: CheckResult): string {
  if (c.observed === undefined || c.observed === null) return '';
  const unit = c.unit ? ` ${c.unit}` : '';
  const limit = c.limit !== undefined && c.limit !== null ? ` (limit ${String(c.limit)}${unit})` : '';
  return html`<div class="muted">observed ${String(c.observed)}${unit}${limit}</div>`;
}

function row(c: CheckResult): string {
  const problem = (c.status === 'failed' || c.status === 'errored') && !isExcused(c);
  const notes = [c.dryRun ? 'dry-run' : '', c.quarantine ? `quarantined (${c.quarantine.owner} until ${c.quarantine.expires})` : '', c.onFail ? `onFail ${c.onFail}` : '']
    .filter(Boolean)
    .join(', ');
  return html`<tr id="${checkAnchor(c.id)}" data-status="${c.status}" data-problem="${String(problem)}">
<td><span class="status ${c.status}">${c.status}</span></td>
<td><a href="#${checkAnchor(c.id)}"><code>${c.id}</code></a><div>${c.title}</div>${notes ? raw(html`<div class="muted">${notes}</div>`) : ''}</td>
<td>${c.severity}</td>
<td class="num">${c.attempts}</td>
<td class="num">${formatDuration(c.durationMs)}</td>
<td>${c.message ?? ''}${raw(measure(c))}</td>
<td class="evidence">${raw(c.evidence.map(renderEvidence).join(''))}</td>
</tr>`;
}

const ORDER = { failed: 0, errored: 1, flaky: 2, skipped: 3, passed: 4 } as const;

export function checksTable(report: VerdictReport): string {
  if (!report.checks.length) return '<p class="muted">No checks were recorded.</p>';
  // Problems first so the eye lands on them; within a status, report order.
  const checks = report.checks.map((c, i) => ({ c, i })).sort((a, b) => ORDER[a.c.status] - ORDER[b.c.status] || a.i - b.i);
  const statuses = [...new Set(report.checks.map((c) => c.status))];
  const filters = ['all', 'problems', ...statuses]
    .map((f) => html`<button type="button" data-filter="${f}" aria-pressed="${String(f === 'all')}">${f}</button>`)
    .join('');
  return `<div class="filters">${filters}</div>
<table id="checks"><thead><tr><th>Status</th><th>Check</th><th>Severity</th><th>Attempts</th><th>Duration</th><th>Message</th><th>Evidence</th></tr></thead>
<tbody>${checks.map(({ c }) => row(c)).join('\n')}</tbody></table>`;
}

