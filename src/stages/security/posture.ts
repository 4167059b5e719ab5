import { addHistoryEntry, historyFolder, newestHistoryEntry } from '../../platform/history.ts';
import type { CheckResult, VerdictReport } from '../../core/types.ts';
import type { RunSettings } from '../../target/settings.ts';
import { makeCheck } from './result.ts';

// The security posture of each stood run — which header tests, cookie flags,
// CORS answers, exposed-file, debug and TLS checks passed, and the grade per
// site — kept in the same history folder load baselines use. A check that
// passed in the last stood run and fails now is this deploy's doing: it fails
// as a regression, with or without a minimum grade.

export interface PostureEntry {
  version: 1;
  runId: string;
  recordedAt: string;
  /** The URLs checked: a posture is compared only with one of the same target. */
  target: string;
  /** Check id → the message it passed with (what was seen then). */
  passed: Record<string, string>;
  /** Site → grade. */
  grades: Record<string, string>;
}

/**
 * Checks that describe the deployment's posture (not probes of configured endpoints).
 * A check whose failure means "hold" (a certificate about to expire) is no deploy's doing.
 */
const POSTURE = /^security\.(?:headers|cookies|cors|exposed|tls)\./;
const inPosture = (c: CheckResult): boolean => POSTURE.test(c.id) && c.onFail !== 'hold';
const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'];
const KEEP = 10;

export function securityHistoryDir(s: Pick<RunSettings, 'rootDir' | 'reportsDir' | 'environmentName'>): string {
  return historyFolder(s, 'security');
}

export function postureOf(runId: string, recordedAt: string, target: string, checks: CheckResult[], grades: Record<string, string>): PostureEntry {
  const passed: Record<string, string> = {};
  for (const c of checks) if (inPosture(c) && c.status === 'passed') passed[c.id] = c.message ?? '';
  return { version: 1, runId, recordedAt, target, passed, grades };
}

/** After a stood run: its posture becomes the newest entry (the last KEEP kept). */
export async function recordPosture(report: VerdictReport, settings: RunSettings): Promise<string | undefined> {
  if (report.verdict !== 'stand') return undefined;
  const checks = report.checks.filter((c) => c.stage === 'security');
  if (!checks.length) return undefined;
  const extra = report.extras.security as { grades?: Array<{ site: string; grade: string }>; target?: string } | undefined;
  if (!extra?.target) return undefined;
  const grades = Object.fromEntries((extra?.grades ?? []).map((g) => [g.site, g.grade]));
  return addHistoryEntry(securityHistoryDir(settings), report, postureOf(report.runId, report.finishedAt, extra.target, checks, grades), KEEP);
}

/** The newest posture recorded for this target. */
export async function lastPosture(dir: string, target: string): Promise<PostureEntry | undefined> {
  const ok = (e: unknown): e is PostureEntry => {
    const p = e as Partial<PostureEntry> | null;
    return !!p && p.version === 1 && p.target === target && !!p.passed && typeof p.passed === 'object';
  };
  return newestHistoryEntry(dir, ok);
}

export interface PostureComparison {
  lastRunId?: string;
  lost: Array<{ id: string; then: string; now: string }>;
  gradeDrops: Array<{ site: string; then: string; now: string }>;
  /** Posture checks that pass now and did not in the last stood run. */
  gained?: string[];
  /** Posture checks that passed then and pass now. */
  unchanged?: number;
}

/** What passed in the last stood run and fails now (skipped and errored checks are no evidence either way). */
export function comparePosture(last: PostureEntry | undefined, checks: CheckResult[], grades: Record<string, string>): PostureComparison {
  if (!last) return { lost: [], gradeDrops: [] };
  const lost = checks.filter((c) => c.status === 'failed' && inPosture(c) && last.passed[c.id] !== undefined && !c.id.endsWith('.grade')).map((c) => ({ id: c.id, then: last.passed[c.id] as string, now: c.message ?? '' }));
  const passing = checks.filter((c) => c.status === 'passed' && inPosture(c)).map((c) => c.id);
  const gained = passing.filter((id) => last.passed[id] === undefined);
  const gradeDrops = Object.entries(grades)
    .filter(([site, now]) => last.grades[site] !== undefined && GRADES.indexOf(now) > GRADES.indexOf(last.grades[site] as string))
    .map(([site, now]) => ({ site, then: last.grades[site] as string, now }));
  return { lastRunId: last.runId, lost, gradeDrops, gained, unchanged: passing.length - gained.length };
}

export function regressionCheck(cmp: PostureComparison, startedAt: number): CheckResult {
  const meta = { def: 'posture.regression', slug: 'posture.regression', startedAt };
  if (!cmp.lastRunId) return makeCheck({ ...meta, status: 'skipped', message: 'no stood run in the history folder yet: this run\'s posture is recorded if it stands, and compared with from the next run on' });
  const evidence = [{ kind: 'json' as const, label: `posture compared with run ${cmp.lastRunId}`, data: cmp }];
  const lost = [
    ...cmp.lost.map((l) => `${l.id.replace(/^security\./, '')} passed in run ${cmp.lastRunId} and fails now (${l.now})`),
    ...cmp.gradeDrops.map((g) => `grade of ${g.site} dropped from ${g.then} (run ${cmp.lastRunId}) to ${g.now}`),
  ];
  if (lost.length) return makeCheck({ ...meta, status: 'failed', message: `security posture regressed since the last stood run ${cmp.lastRunId}: ${lost.join('; ')}`, evidence });
  return makeCheck({ ...meta, status: 'passed', message: `nothing lost since the last stood run ${cmp.lastRunId}`, evidence });
}
