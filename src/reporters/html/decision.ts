import type { VerdictReport } from '../../core/types.ts';
import { checkAnchor } from '../format.ts';
import { decisionView } from '../decision.ts';
import { html, raw } from './escape.ts';

/** The person's decision, beside the machine verdict (shown right under the banner). */
export function decisionSection(report: VerdictReport): string {
  const view = decisionView(report);
  if (!view) return '';
  const dl = view.facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`).join('');
  return html`<section id="decision" class="decision${report.decision?.override ? ' override' : ''}"><h2>${view.headline}</h2><dl class="facts">${raw(dl)}</dl></section>`;
}

/** The pre-production checklist, each item ticked or saying what is missing. */
export function checklistSection(report: VerdictReport): string {
  const items = report.checklist ?? [];
  const p = report.promotion;
  if (!items.length && !p) return '';
  const known = new Set(report.checks.map((c) => c.id));
  const rows = items.map((i) => {
    const evidence = i.evidence.map((e) => (known.has(e) ? html`<a href="#${checkAnchor(e)}"><code>${e}</code></a>` : html`<code>${e}</code>`)).join(', ');
    return html`<li class="${i.ticked ? 'ticked' : 'unticked'}" data-item="${i.id}"><span aria-label="${i.ticked ? 'ticked' : 'unticked'}">${i.ticked ? '☑' : '☐'}</span> ${i.title}${i.missing ? ` — ${i.missing}` : ''}${evidence ? raw(` — evidence: ${evidence}`) : ''}</li>`;
  });
  const status = p ? html`<p id="promotion" data-promotion="${p.status}">Promotion: <strong>${p.status}</strong>${p.blocking.length ? ` — blocked by ${p.blocking.map((b) => b.title).join('; ')}` : ''}</p>` : '';
  return `<section id="checklist"><h2>Pre-production checklist</h2>${status}${items.length ? `<ul class="checklist">${rows.join('')}</ul>` : '<p class="muted">No checklist configured.</p>'}</section>`;
}
