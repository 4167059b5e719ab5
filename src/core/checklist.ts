import type { ChecklistEntry, ChecklistItem, CheckResult, Promotion, SignoffRecord, StageSummary, Verdict } from './types.ts';
import { signoffLabel } from './policy.ts';
import { globToRegExp } from './glob.ts';

// The pre-production checklist: each item names the evidence that ticks it.
// Evaluated from the event log like the verdict (pure, no I/O): files and the
// change ticket reach it as observations recorded by verify / decide / signoff.

export type { ChecklistEntry, ChecklistItem, Promotion, SignoffRecord } from './types.ts';



export interface ChecklistFacts {
  checks: readonly CheckResult[];
  stages: readonly StageSummary[];
  signoffs: readonly SignoffRecord[];
  observations: Readonly<Record<string, string | number | boolean>>;
}

export const CHANGE_TICKET_KEY = 'changeTicket';
export const fileKey = (path: string): string => `checklist.file:${path}`;

const passedish = (c: CheckResult) => c.status === 'passed' || c.status === 'flaky';

function fromChecks(what: string, checks: readonly CheckResult[]): Pick<ChecklistEntry, 'ticked' | 'evidence' | 'missing'> {
  const ran = checks.filter((c) => c.status !== 'skipped');
  if (ran.length === 0) return { ticked: false, evidence: [], missing: `no check of ${what} ran` };
  const bad = ran.filter((c) => !passedish(c));
  if (bad.length === 0) return { ticked: true, evidence: ran.map((c) => c.id) };
  const list = bad.slice(0, 5).map((c) => `${c.id} ${c.status}`).join(', ');
  return { ticked: false, evidence: bad.map((c) => c.id), missing: `not passed: ${list}${bad.length > 5 ? `, +${bad.length - 5} more` : ''}` };
}

function evaluateItem(item: ChecklistItem, facts: ChecklistFacts): ChecklistEntry {
  const base = { id: item.id, title: item.title };
  if (item.checks) {
    const res = item.checks.map((g) => globToRegExp(g));
    return { ...base, kind: 'checks', ...fromChecks(item.checks.join(', '), facts.checks.filter((c) => res.some((r) => r.test(c.id)))) };
  }
  if (item.stages) {
    const names = new Set(item.stages);
    return { ...base, kind: 'stages', ...fromChecks(`stage ${item.stages.join(', ')}`, facts.checks.filter((c) => names.has(c.stage))) };
  }
  if (item.signoff !== undefined) {
    const s = facts.signoffs.filter((x) => x.what === item.signoff).at(-1);
    return s
      ? { ...base, kind: 'signoff', ticked: true, evidence: [`${s.what} signed off by ${s.by} at ${s.at}${s.note ? ` (${s.note})` : ''}`] }
      : { ...base, kind: 'signoff', ticked: false, evidence: [], missing: `waiting for ${signoffLabel(item.signoff)} sign-off (pdv signoff <run> ${item.signoff})` };
  }
  if (item.changeTicket !== undefined) {
    const ticket = facts.observations[CHANGE_TICKET_KEY];
    if (typeof ticket !== 'string' || !ticket) return { ...base, kind: 'changeTicket', ticked: false, evidence: [], missing: 'no change ticket (--change-ticket ID or $PDV_CHANGE_TICKET)' };
    const pattern = typeof item.changeTicket === 'object' ? item.changeTicket.pattern : undefined;
    if (pattern && !new RegExp(pattern).test(ticket)) return { ...base, kind: 'changeTicket', ticked: false, evidence: [ticket], missing: `change ticket "${ticket}" does not match ${pattern}` };
    return { ...base, kind: 'changeTicket', ticked: true, evidence: [ticket] };
  }
  const file = item.file ?? '';
  return facts.observations[fileKey(file)] === true
    ? { ...base, kind: 'file', ticked: true, evidence: [file] }
    : { ...base, kind: 'file', ticked: false, evidence: [], missing: `file ${file} not found` };
}

export function evaluateChecklist(items: readonly ChecklistItem[], facts: ChecklistFacts): ChecklistEntry[] {
  return items.map((i) => evaluateItem(i, facts));
}

/** Ready to promote: the verdict (after any human decision) stands, the run was complete, every item is ticked. */
export function promotion(verdict: Verdict, partial: boolean, checklist: readonly ChecklistEntry[]): Promotion {
  const blocking: Promotion['blocking'] = [];
  if (verdict !== 'stand') blocking.push({ id: 'verdict', title: 'the verdict stands', missing: `the verdict is ${verdict}` });
  if (partial) blocking.push({ id: 'complete', title: 'a complete run (pdv verify)', missing: 'partial run (pdv run)' });
  for (const c of checklist) if (!c.ticked) blocking.push({ id: c.id, title: c.title, missing: c.missing ?? 'unticked' });
  return { status: blocking.length ? 'blocked' : 'ready', blocking };
}
