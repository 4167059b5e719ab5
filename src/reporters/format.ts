import type { CheckResult, Reason, Severity, VerdictReport } from '../core/types.ts';

// Presentation helpers shared by the markdown, JUnit and HTML builders.

const EFFECT_RANK: Record<Reason['effect'], number> = { rollback: 0, hold: 1, warn: 2, stand: 3 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2 };
const STATUS_RANK: Record<Reason['status'], number> = { failed: 0, errored: 1, missing: 2, flaky: 3, skipped: 4, passed: 5 };

/** Most severe first: by effect, then severity, then status; stable otherwise. */
export function sortReasons(reasons: readonly Reason[]): Reason[] {
  return reasons
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        (EFFECT_RANK[a.r.effect] ?? 9) - (EFFECT_RANK[b.r.effect] ?? 9) ||
        (SEVERITY_RANK[a.r.severity] ?? 9) - (SEVERITY_RANK[b.r.severity] ?? 9) ||
        (STATUS_RANK[a.r.status] ?? 9) - (STATUS_RANK[b.r.status] ?? 9) ||
        a.i - b.i,
    )
    .map(({ r }) => r);
}

export interface Warning {
  checkId: string;
  stage: string;
  kind: 'warn' | 'flaky' | 'quarantined' | 'dry-run';
  message: string;
}

/**
 * Everything that did not change the verdict but a person should see: the
 * policy's warnings, plus flaky, quarantined and dry-run checks it did not list
 * (reports built elsewhere, or policies that treat them differently).
 */
export function collectWarnings(report: VerdictReport): Warning[] {
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  const kindOf = (c: CheckResult | undefined): Warning['kind'] =>
    c?.quarantine ? 'quarantined' : c?.dryRun ? 'dry-run' : c?.status === 'flaky' ? 'flaky' : 'warn';
  // The policy's own warnings first (its messages say why), labelled by what the check is.
  const out: Warning[] = report.warnings.map((r) => ({ checkId: r.checkId, stage: r.stage, kind: kindOf(byId.get(r.checkId)), message: r.message }));
  const listed = new Set([...report.reasons, ...report.warnings].map((r) => r.checkId));
  for (const c of report.checks) {
    if (listed.has(c.id)) continue;
    const tail = c.message ? `: ${c.message}` : '';
    if (c.quarantine && c.status !== 'passed') {
      const q = c.quarantine;
      out.push({ checkId: c.id, stage: c.stage, kind: 'quarantined', message: `${c.status}, quarantined by ${q.owner} until ${q.expires}${q.reason ? ` (${q.reason})` : ''}${tail}` });
    } else if (c.dryRun && (c.status === 'failed' || c.status === 'errored' || c.status === 'flaky')) {
      out.push({ checkId: c.id, stage: c.stage, kind: 'dry-run', message: `${c.status} in dry-run mode (does not count)${tail}` });
    } else if (c.status === 'flaky') {
      out.push({ checkId: c.id, stage: c.stage, kind: 'flaky', message: `passed after ${c.attempts} attempts${tail}` });
    } else continue;
    listed.add(c.id);
  }
  return out;
}

/** Checks that did not pass and count: failed or errored (dry-run and quarantine are warnings). */
export function problemChecks(report: VerdictReport): CheckResult[] {
  return report.checks.filter((c) => (c.status === 'failed' || c.status === 'errored') && !c.dryRun && !c.quarantine);
}

/** Checks whose result is excused: dry-run or quarantined. */
export function isExcused(c: CheckResult): boolean {
  return Boolean(c.dryRun || c.quarantine);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} m ${rest} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} m`;
}

export const VERDICT_LABEL: Record<VerdictReport['verdict'], string> = { stand: 'STAND', rollback: 'ROLLBACK', hold: 'HOLD' };

export const VERDICT_MEANING: Record<VerdictReport['verdict'], string> = {
  stand: 'the deploy stands',
  rollback: 'roll the deploy back',
  hold: 'on hold: a person decides',
};

/** Stable in-page anchor for a check (ids come from config and may carry anything). */
export function checkAnchor(id: string): string {
  return `check-${id.replace(/[^A-Za-z0-9_.:-]/g, '_')}`;
}

/** Retries beyond the first attempt, over all checks. */
export function totalRetries(report: VerdictReport): number {
  return report.checks.reduce((n, c) => n + Math.max(0, c.attempts - 1), 0);
}

/** Rollback (or other) actions that failed: the loudest news in any report. */
/** Failed rollbacks (and their verification): the loudest line of every report. A failed notification is not one. */
export function failedActions(report: VerdictReport): VerdictReport['actions'] {
  return report.actions.filter((a) => a.status === 'failed' && (a.kind === 'rollback' || a.kind === 'post-rollback'));
}

/** The record rule's sentence (docs/reports.md): what could not be written after verdict.json, a warning and never a verdict. */
export const RECORD_WARNING = "part of this run's record could not be written";

/** One line per part of the record that could not be written: `part of this run's record could not be written: <file>: <reason>`. */
export function recordWarningLines(report: VerdictReport): string[] {
  return (report.recordWarnings ?? []).map((w) => `${RECORD_WARNING}: ${w}`);
}
