import type { CheckResult, OnFail, Reason, Severity, StageSummary, Verdict } from './types.ts';

// The one pure function that decides. No I/O, no clock: everything it needs
// comes in as data, so the same events always give the same verdict.

export interface PolicyOptions {
  /** Failed major (non-critical) rollback-checks tolerated before rollback. */
  majorBudget: number;
  /** A check that passed only on retry counts as failed. */
  flakyAsFailed: boolean;
  /** Sign-offs (e.g. a product team's) without which the verdict cannot stand. */
  requireSignoffs?: readonly string[];
}

export interface PolicyInput {
  checks: readonly CheckResult[];
  stages: readonly StageSummary[];
  /** Stages whose absence of checks is missing evidence. */
  required: readonly string[];
  /** Run ended early (SIGINT, deadline). */
  interrupted?: { reason: string };
  /** Selection of an on-demand run, named in the missing-evidence reason. */
  grep?: string;
  /** Ids of checks a policy override lowered to warn (they are waived, not evidence). */
  overriddenToWarn?: readonly string[];
  /** What has been signed off (from signoff events). */
  signoffs?: readonly string[];
}

export interface PolicyResult {
  verdict: Verdict;
  reasons: Reason[];
  warnings: Reason[];
}

/** Short names (three letters or fewer) are upper-cased; longer ones stay as written. */
export function signoffLabel(what: string): string {
  return /^[a-z]{2,4}$/.test(what) ? what.toUpperCase() : what;
}

export const DEFAULT_POLICY: PolicyOptions = { majorBudget: 0, flakyAsFailed: false };

export function effectiveOnFail(check: Pick<CheckResult, 'onFail' | 'severity'>): OnFail {
  return check.onFail ?? (check.severity === 'minor' ? 'warn' : 'rollback');
}

/** Does this check, on its own, count as a failure (flaky counts when flakyAsFailed)? */
export function countsAsFailed(check: CheckResult, opts: PolicyOptions): boolean {
  return check.status === 'failed' || (check.status === 'flaky' && opts.flakyAsFailed);
}

/** Reported but never allowed to change the verdict. */
function isInert(check: CheckResult): boolean {
  return Boolean(check.dryRun || check.quarantine);
}

/** A critical rollback-failure: the orchestrator's fail-fast trigger. */
export function isCriticalRollbackFailure(check: CheckResult, opts: PolicyOptions = DEFAULT_POLICY): boolean {
  return !isInert(check) && check.severity === 'critical' && countsAsFailed(check, opts) && effectiveOnFail(check) === 'rollback';
}

/**
 * A waiver (quarantine, dry run, an override to warn) must never become the
 * whole verdict: when every check that ran is waived, say why nothing counts.
 */
function waiverSummary(input: PolicyInput): string | undefined {
  const counted = input.checks.filter((c) => c.status !== 'skipped');
  if (counted.length === 0) return undefined;
  const lowered = new Set(input.overriddenToWarn ?? []);
  let quarantined = 0;
  let dryRun = 0;
  let toWarn = 0;
  for (const c of counted) {
    if (c.quarantine) quarantined++;
    else if (c.dryRun) dryRun++;
    else if (lowered.has(c.id) && effectiveOnFail(c) === 'warn') toWarn++;
    else return undefined;
  }
  const kinds = [quarantined && `${quarantined} quarantined`, dryRun && `${dryRun} dry run`, toWarn && `${toWarn} overridden to warn`].filter(Boolean);
  return `every check that ran was waived (${kinds.join(', ')}): nothing to stand on`;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2 };
const EFFECT_RANK = { rollback: 0, hold: 1, warn: 2, stand: 3 } as const;
const STATUS_RANK: Record<Reason['status'], number> = { failed: 0, errored: 1, missing: 2, flaky: 3, skipped: 4, passed: 5 };

function reasonFor(check: CheckResult, effect: Reason['effect'], note?: string): Reason {
  const base = check.message ?? `${check.title}: ${check.status}`;
  return {
    checkId: check.id,
    stage: check.stage,
    severity: check.severity,
    status: check.status,
    message: note ? `${base} (${note})` : base,
    effect,
  };
}

export function compareReasons(a: Reason, b: Reason): number {
  return (
    EFFECT_RANK[a.effect] - EFFECT_RANK[b.effect] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    a.checkId.localeCompare(b.checkId)
  );
}

export function policy(input: PolicyInput, opts: PolicyOptions = DEFAULT_POLICY): PolicyResult {
  const rollback: Reason[] = [];
  const hold: Reason[] = [];
  const warnings: Reason[] = [];
  const budgeted: CheckResult[] = [];

  for (const check of input.checks) {
    const onFail = effectiveOnFail(check);
    const failed = countsAsFailed(check, opts);
    if (isInert(check)) {
      if (failed || check.status === 'errored' || check.status === 'flaky') {
        const why = check.quarantine ? `quarantined, owner ${check.quarantine.owner} until ${check.quarantine.expires}` : 'dry run';
        warnings.push(reasonFor(check, 'warn', why));
      }
      continue;
    }
    if (failed) {
      if (onFail === 'warn') warnings.push(reasonFor(check, 'warn'));
      else if (onFail === 'hold') hold.push(reasonFor(check, 'hold'));
      else if (check.severity === 'critical') rollback.push(reasonFor(check, 'rollback'));
      else budgeted.push(check);
    } else if (check.status === 'errored') {
      // Missing evidence never becomes stand.
      if (check.severity !== 'minor' && onFail !== 'warn') hold.push(reasonFor(check, 'hold', 'no evidence'));
      else warnings.push(reasonFor(check, 'warn', 'no evidence'));
    } else if (check.status === 'flaky') {
      warnings.push(reasonFor(check, 'warn', `flaky: passed after ${check.attempts} attempts`));
    }
  }

  if (budgeted.length > opts.majorBudget) {
    const note = `${budgeted.length} major failure(s), budget ${opts.majorBudget}`;
    for (const c of budgeted) rollback.push(reasonFor(c, 'rollback', note));
  } else {
    for (const c of budgeted) warnings.push(reasonFor(c, 'warn', `within major budget ${opts.majorBudget}`));
  }

  const stageByName = new Map(input.stages.map((s) => [s.name, s]));
  for (const name of input.required) {
    const mine = input.checks.filter((c) => c.stage === name);
    // A required stage whose every check was skipped (e.g. not configured) gave no evidence either.
    if (mine.some((c) => c.status !== 'skipped')) continue;
    const stage = stageByName.get(name);
    // Stages skipped by fail-fast follow a rollback reason; they are not missing evidence.
    if (stage?.status === 'skipped' && mine.length === 0 && rollback.length > 0) continue;
    const skipped = mine[0]?.message ? `every check skipped (${mine[0].message})` : undefined;
    const why = skipped ?? stage?.message ?? (stage ? `stage ${stage.status}` : 'stage did not run');
    const selection = input.grep ? ` (selection ${input.grep} matched no check)` : '';
    hold.push({
      checkId: name,
      stage: name,
      severity: 'critical',
      status: 'missing',
      message: `required stage "${name}" produced no checks${selection}: ${why}`,
      effect: 'hold',
    });
  }

  if (input.interrupted) {
    hold.push({
      checkId: 'run',
      stage: 'run',
      severity: 'critical',
      status: 'missing',
      message: `run ended early (${input.interrupted.reason}); evidence is incomplete`,
      effect: 'hold',
    });
  }

  if (input.checks.length === 0 && input.required.length === 0 && !input.interrupted) {
    hold.push({ checkId: 'run', stage: 'run', severity: 'critical', status: 'missing', message: 'no checks ran: nothing to stand on', effect: 'hold' });
  }
  const signed = new Set(input.signoffs ?? []);
  for (const what of opts.requireSignoffs ?? []) {
    if (signed.has(what)) continue;
    hold.push({ checkId: `signoff.${what}`, stage: 'signoff', severity: 'major', status: 'missing', message: `waiting for ${signoffLabel(what)} sign-off`, effect: 'hold' });
  }

  const allWaived = waiverSummary(input);
  if (allWaived) hold.push({ checkId: 'run', stage: 'run', severity: 'critical', status: 'missing', message: allWaived, effect: 'hold' });

  const verdict: Verdict = rollback.length > 0 ? 'rollback' : hold.length > 0 ? 'hold' : 'stand';
  return {
    verdict,
    reasons: [...rollback, ...hold].sort(compareReasons),
    warnings: warnings.sort(compareReasons),
  };
}
