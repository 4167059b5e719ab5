import { appendFile } from 'node:fs/promises';
import type { CheckResult, Evidence, VerdictReport } from '../core/types.ts';
import {
  VERDICT_LABEL,
  VERDICT_MEANING,
  collectWarnings,
  failedActions,
  formatDuration,
  problemChecks,
  recordWarningLines,
  sortReasons,
  totalRetries,
} from './format.ts';
import { decisionView } from './decision.ts';
import { escapeControlText } from '../core/untrusted.ts';
import type { Env, ReportContext, Reporter } from './types.ts';
import { UNRECORDED_EVENTS_NOTE, UNRECORDED_TITLE, unrecordedSentence } from './unrecorded.ts';

export const SUMMARY_FILE = 'summary.md';

/** Escape Markdown (and inline HTML) in a value that came from a target; keep it on one line. */
export function mdEscape(value: unknown): string {
  return escapeControlText(String(value ?? '').replace(/\r?\n|\r/g, ' '))
    .replace(/[\\`*_[\]<>|#&~]/g, (c) => `\\${c}`);
}

function code(value: string): string {
  // A code span cannot hold its own fence: fall back to escaped text.
  return value.includes('`') ? mdEscape(value) : `\`${escapeControlText(value.replace(/\r?\n|\r/g, ' '))}\``;
}

function evidenceLinks(evidence: readonly Evidence[]): string {
  const links = evidence.flatMap((e) => {
    if (e.kind === 'file' && e.path) return [`[${mdEscape(e.label)}](${encodeURI(e.path)})`];
    if (e.kind === 'link' && e.url && /^https?:\/\//i.test(e.url)) return [`[${mdEscape(e.label)}](${encodeURI(e.url)})`];
    return [];
  });
  return links.join(', ');
}

function checkLine(c: CheckResult): string[] {
  const lines = [`- ${code(c.id)} **${mdEscape(c.title)}** — ${c.status}, ${c.severity}, ${c.attempts} attempt${c.attempts === 1 ? '' : 's'}, ${formatDuration(c.durationMs)}`];
  if (c.message) lines.push(`  - ${mdEscape(c.message)}`);
  if (c.observed !== undefined && c.observed !== null) {
    lines.push(`  - observed ${mdEscape(c.observed)}${c.unit ? ` ${mdEscape(c.unit)}` : ''}${c.limit !== undefined && c.limit !== null ? `, limit ${mdEscape(c.limit)}` : ''}`);
  }
  const links = evidenceLinks(c.evidence);
  if (links) lines.push(`  - evidence: ${links}`);
  return lines;
}

/** summary.md: what a person reads first in CI (also appended to $GITHUB_STEP_SUMMARY). */
export function buildSummaryMarkdown(report: VerdictReport): string {
  const t = report.target;
  const out: string[] = [];
  const partial = report.partial ? ' (partial run)' : '';
  const interrupted = report.interrupted ? ' (interrupted)' : '';
  out.push(`## pdv verdict: [${VERDICT_LABEL[report.verdict]}]${partial}${interrupted} — ${mdEscape(t.environment)}`, '');
  for (const a of failedActions(report)) {
    out.push(`> **[ACTION FAILED] ${mdEscape(a.kind)} ${mdEscape(a.name)}: ${mdEscape(a.message)}** — the target may be in a broken state; a person must act now.`, '');
  }
  // After verdict.json, a write that failed (a full disk) is said here; the verdict stays the recorded one.
  for (const line of recordWarningLines(report)) out.push(`> **Warning:** ${mdEscape(line)} (the verdict below is the one verdict.json records; the exit code follows it)`, '');
  out.push(`**Verdict: ${VERDICT_LABEL[report.verdict]}** — ${VERDICT_MEANING[report.verdict]}${partial}.`, '');
  const decision = decisionView(report);
  if (decision) {
    out.push(`### ${mdEscape(decision.headline)}`, '', '| | |', '|---|---|');
    for (const [k, v] of decision.facts) out.push(`| ${mdEscape(k)} | ${mdEscape(v)} |`);
    out.push('');
  }

  const c = report.counts;
  out.push('| | |', '|---|---|');
  out.push(`| Environment | ${mdEscape(t.environment)} |`);
  out.push(`| Base URL | ${mdEscape(t.baseUrl)} |`);
  if (t.apiUrl) out.push(`| API URL | ${mdEscape(t.apiUrl)} |`);
  out.push(`| Version | expected ${mdEscape(t.expectedVersion ?? '–')}, observed ${mdEscape(t.observedVersion ?? '–')} |`);
  if (t.deployId) out.push(`| Deploy | ${mdEscape(t.deployId)} |`);
  out.push(`| Run | ${mdEscape(report.runId)}, ${mdEscape(report.startedAt)}, ${formatDuration(report.durationMs)} |`);
  out.push(`| Checks | ${c.passed} passed, ${c.failed} failed, ${c.errored} errored, ${c.flaky} flaky, ${c.skipped} skipped; ${totalRetries(report)} retries |`, '');

  const reasons = sortReasons(report.reasons);
  out.push('### Reasons', '');
  if (reasons.length === 0) out.push('None: every counted check passed.');
  for (const r of reasons) {
    out.push(`1. **${r.severity}** ${code(r.checkId)} ${r.status} → ${r.effect}: ${mdEscape(r.message)}`);
  }
  out.push('');

  const warnings = collectWarnings(report);
  if (warnings.length) {
    out.push('### Warnings', '');
    for (const w of warnings) out.push(`- [${w.kind}] ${code(w.checkId)}: ${mdEscape(w.message)}`);
    out.push('');
  }

  if (report.actions.length) {
    out.push('### Actions', '', '| Action | Status | Attempts | Duration | Message |', '|---|---|---|---|---|');
    for (const a of report.actions) {
      out.push(`| ${mdEscape(a.kind)} ${mdEscape(a.name)} | ${a.status === 'failed' ? '**FAILED**' : a.status} | ${a.attempts.length} | ${formatDuration(a.durationMs)} | ${mdEscape(a.message)} |`);
    }
    out.push('');
  }

  out.push(...checklistLines(report));

  out.push('### Stages', '', '| Stage | Status | Duration | Checks |', '|---|---|---|---|');
  for (const s of report.stages) {
    const checks = report.checks.filter((x) => x.stage === s.name);
    const bad = checks.filter((x) => x.status === 'failed' || x.status === 'errored').length;
    const note = s.message ? ` (${mdEscape(s.message)})` : '';
    out.push(`| ${mdEscape(s.name)} | ${s.status}${note} | ${formatDuration(s.durationMs)} | ${checks.length} (${bad} not passed) |`);
  }
  out.push('');

  const problems = problemChecks(report);
  if (problems.length) {
    out.push('### Failed and errored checks', '');
    for (const p of problems) out.push(...checkLine(p));
    out.push('');
  }
  out.push('Full report: `index.html` · machine-readable: `verdict.json` · CI: `junit.xml`', '');
  return out.join('\n');
}

function checklistLines(report: VerdictReport): string[] {
  const items = report.checklist ?? [];
  const p = report.promotion;
  if (!items.length || !p) return [];
  const out = ['### Pre-production checklist', '', `Promotion: **${p.status}**${p.blocking.length ? ` — blocked by ${p.blocking.map((b) => mdEscape(b.title)).join('; ')}` : ''}`, ''];
  for (const i of items) {
    const evidence = i.evidence.length ? ` — evidence: ${i.evidence.map(code).join(', ')}` : '';
    out.push(`- [${i.ticked ? 'x' : ' '}] ${mdEscape(i.title)}${i.missing ? ` — ${mdEscape(i.missing)}` : ''}${evidence}`);
  }
  out.push('');
  return out;
}

/** summary.md (and the step summary) when verdict.json could not be written: no verdict claimed. */
export function buildUnrecordedMarkdown(runId: string, why: string): string {
  return [`## ${UNRECORDED_TITLE}`, '', `Run ${code(runId)}: ${mdEscape(unrecordedSentence(why))}`, '', mdEscape(UNRECORDED_EVENTS_NOTE), ''].join('\n');
}

/**
 * Append the summary to $GITHUB_STEP_SUMMARY (from the run's environment, read once), when set,
 * after the final redaction pass.
 */
export async function appendStepSummary(report: VerdictReport, ctx: Pick<ReportContext, 'redact'>, env: Env | undefined): Promise<void> {
  const stepSummary = env?.GITHUB_STEP_SUMMARY;
  if (stepSummary) await appendFile(stepSummary, ctx.redact(buildSummaryMarkdown(report), 'text') + '\n');
}

/**
 * `deferStepSummary`: the caller appends the step summary itself, once, when
 * the record is complete (`pdv verify`: after the actions and the record
 * warnings); a page saying the verdict was not recorded is still appended at once.
 */
export function markdownReporter(options: { env?: Env; deferStepSummary?: boolean } = {}): Reporter {
  return {
    name: 'markdown',
    async write(report, ctx) {
      const written = [await ctx.writeText(SUMMARY_FILE, buildSummaryMarkdown(report))];
      if (!options.deferStepSummary) await appendStepSummary(report, ctx, options.env);
      return written;
    },
    async unrecorded(report, why, ctx) {
      const text = buildUnrecordedMarkdown(report.runId, why);
      const stepSummary = options.env?.GITHUB_STEP_SUMMARY;
      // The step summary first: it is what a person reads, and the run folder may be the full disk.
      if (stepSummary) await appendFile(stepSummary, ctx.redact(text, 'text') + '\n');
      return [await ctx.writeText(SUMMARY_FILE, text)];
    },
  };
}
