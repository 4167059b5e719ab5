import type { ActionRecord, VerdictReport } from '../../core/types.ts';
import { VERDICT_LABEL, VERDICT_MEANING, checkAnchor, collectWarnings, failedActions, formatDuration, recordWarningLines, sortReasons, totalRetries } from '../format.ts';
import { evidenceLinks } from './checks.ts';
import { html, raw, safeHref } from './escape.ts';

/** A failed rollback is the loudest line on the page, above everything. */
export function alarm(report: VerdictReport): string {
  return failedActions(report)
    .map(
      (a) =>
        html`<div class="alarm" role="alert" id="action-failed">${a.kind.toUpperCase()} FAILED: ${a.name} — ${a.message}<small>The target may be half rolled back. A person must act now. ${a.attempts.length} attempt(s); see <a href="#actions">actions</a>.</small></div>`,
    )
    .join('');
}

/** Parts of the record that could not be written (a full disk): said on the page, the verdict above stays the recorded one. */
export function recordAlert(report: VerdictReport): string {
  const lines = recordWarningLines(report);
  if (!lines.length) return '';
  const items = lines.map((l) => html`<li>${l}</li>`).join('');
  return html`<div class="alarm" role="alert" id="record-warnings"><ul>${raw(items)}</ul><small>The verdict is the one verdict.json records, and the exit code follows it.</small></div>`;
}

export function banner(report: VerdictReport): string {
  const t = report.target;
  const c = report.counts;
  const facts: Array<[string, string | undefined]> = [
    ['Environment', t.environment],
    ['Base URL', t.baseUrl],
    ['API URL', t.apiUrl],
    ['Expected version', t.expectedVersion],
    ['Observed version', t.observedVersion],
    ['Deploy', t.deployId],
    ['Run', report.runId],
    ['Started', report.startedAt],
    ['Duration', formatDuration(report.durationMs)],
    ['Checks', `${c.passed} passed · ${c.failed} failed · ${c.errored} errored · ${c.flaky} flaky · ${c.skipped} skipped · ${totalRetries(report)} retries`],
  ];
  const dl = facts
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)
    .join('');
  const partial = report.partial ? raw(html`<span class="partial" title="only some stages ran (pdv run)">PARTIAL RUN</span>`) : '';
  const interrupted = report.interrupted ? raw(html`<span class="partial">INTERRUPTED</span>`) : '';
  return html`<header class="banner ${report.verdict}" id="verdict" data-verdict="${report.verdict}">
<h1>${VERDICT_LABEL[report.verdict]}${partial}${interrupted}</h1>
<div class="meaning">${VERDICT_MEANING[report.verdict]}</div>
<dl class="facts">${raw(dl)}</dl></header>`;
}

export function reasonsSection(report: VerdictReport): string {
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  const items = sortReasons(report.reasons).map((r) => {
    const check = byId.get(r.checkId);
    const target = check ? raw(html`<a href="#${checkAnchor(r.checkId)}"><code>${r.checkId}</code></a>`) : raw(html`<code>${r.checkId}</code>`);
    const links = check ? evidenceLinks(check.evidence) : '';
    return html`<li><span class="effect ${r.effect}">${r.effect}</span> ${r.severity} ${target} ${r.status}: ${r.message}${links ? raw(` — evidence: ${links}`) : ''}</li>`;
  });
  const body = items.length ? `<ol class="reasons">${items.join('')}</ol>` : '<p>None: every counted check passed.</p>';
  return `<section id="reasons"><h2>Reasons</h2>${body}</section>`;
}

export function warningsSection(report: VerdictReport): string {
  const warnings = collectWarnings(report);
  if (!warnings.length) return '';
  const known = new Set(report.checks.map((c) => c.id));
  const items = warnings.map((w) => {
    const id = known.has(w.checkId) ? raw(html`<a href="#${checkAnchor(w.checkId)}"><code>${w.checkId}</code></a>`) : raw(html`<code>${w.checkId}</code>`);
    return html`<li><span class="effect warn">${w.kind}</span> ${id}: ${w.message}</li>`;
  });
  return `<section id="warnings"><h2>Warnings</h2><ul class="warnings">${items.join('')}</ul></section>`;
}

function actionRow(a: ActionRecord): string {
  const attempts = a.attempts
    .map((t, i) => html`<li>#${i + 1} ${t.at} ${t.ok ? 'ok' : 'failed'} (${formatDuration(t.durationMs)}): ${t.message}</li>`)
    .join('');
  const details = a.details ? raw(html`<details><summary>details</summary><pre>${JSON.stringify(a.details, null, 2)}</pre></details>`) : '';
  return html`<tr><td>${a.kind}</td><td>${a.name}</td><td class="${a.status}">${a.status}</td><td>${a.startedAt}</td><td class="num">${formatDuration(a.durationMs)}</td>
<td>${a.message}<ol>${raw(attempts)}</ol>${details}</td></tr>`;
}

export function actionsSection(report: VerdictReport): string {
  if (!report.actions.length) return '';
  return `<section id="actions" class="actions"><h2>Actions</h2><table><thead><tr><th>Kind</th><th>Name</th><th>Status</th><th>Started</th><th>Duration</th><th>Message and attempts</th></tr></thead>
<tbody>${report.actions.map(actionRow).join('')}</tbody></table></section>`;
}

export function artifactsSection(report: VerdictReport): string {
  if (!report.artifacts.length) return '';
  const items = report.artifacts.map((a) => {
    const href = safeHref(a.path);
    const name = href ? raw(html`<a href="${href}">${a.name}</a>`) : a.name;
    return html`<li>${a.stage}: ${name} <span class="muted">(${a.kind}${a.description ? `, ${a.description}` : ''})</span></li>`;
  });
  return `<section id="artifacts"><h2>Artifacts</h2><ul>${items.join('')}</ul></section>`;
}
