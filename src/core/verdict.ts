import { evaluateChecklist, promotion, type ChecklistItem, type SignoffRecord } from './checklist.ts';
import type { DecisionEvent, RunEvent, RunStartEvent } from './events.ts';
import { effectiveOnFail, policy, type PolicyOptions } from './policy.ts';
import {
  CHECK_STATUSES,
  SCHEMA_VERSION,
  type ActionRecord,
  type Artifact,
  type CheckResult,
  type CheckStatus,
  type OnFail,
  type Severity,
  type StageSummary,
  type Target,
  type Verdict,
  type VerdictReport,
} from './types.ts';

// Replays an event log into the verdict report. This is the only way a
// VerdictReport is made: `verify`, `report` and `merge` all come through here.

export interface PolicyOverride {
  match: string;
  severity?: Severity;
  onFail?: OnFail;
  dryRun?: boolean;
}

export interface QuarantineRule {
  checkId: string;
  owner: string;
  expires: string;
  reason?: string;
}

export interface VerdictOptions extends PolicyOptions {
  overrides: readonly PolicyOverride[];
  quarantine: readonly QuarantineRule[];
  checklist?: readonly ChecklistItem[];
}

/**
 * Why a waiver glob reaches past one stage (its first segment is not a literal
 * stage name), or undefined when it stays inside one. `*` would waive the policy.
 */
export function wideGlobProblem(glob: string, stages: readonly string[]): string | undefined {
  if (!glob.includes('*')) return undefined;
  const first = glob.split('.')[0] ?? '';
  if (stages.includes(first)) return undefined;
  return `"${glob}" is wider than one stage (its first segment must be one of ${stages.join(', ')}); set allowWide: true on this entry to waive that widely`;
}

import { globToRegExp } from './glob.ts';

export { globToRegExp };

/** A date-only expiry means "through that day" (UTC). */
export function quarantineActive(entry: QuarantineRule, at: Date): boolean {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(entry.expires) ? Date.parse(`${entry.expires}T23:59:59.999Z`) : Date.parse(entry.expires);
  return Number.isFinite(end) && at.getTime() <= end;
}

export function applyRules(check: CheckResult, opts: Pick<VerdictOptions, 'overrides' | 'quarantine'>, at: Date): CheckResult {
  let out = check;
  for (const o of opts.overrides) {
    if (!globToRegExp(o.match).test(check.id)) continue;
    out = {
      ...out,
      ...(o.severity ? { severity: o.severity } : {}),
      ...(o.onFail ? { onFail: o.onFail } : {}),
      ...(o.dryRun !== undefined ? { dryRun: o.dryRun } : {}),
    };
  }
  const q = opts.quarantine.find((e) => globToRegExp(e.checkId).test(check.id) && quarantineActive(e, at));
  if (q) out = { ...out, quarantine: { owner: q.owner, expires: q.expires, ...(q.reason ? { reason: q.reason } : {}) } };
  return out;
}

/** What the event log says, folded: the last result per check, the stages, and the run's records. */
interface Folded {
  checks: Map<string, CheckResult>;
  overriddenToWarn: Set<string>;
  stages: Map<string, StageSummary>;
  stageStarts: Map<string, string>;
  artifacts: Artifact[];
  actions: ActionRecord[];
  extras: Record<string, unknown>;
  observations: Record<string, string | number | boolean>;
  signoffs: SignoffRecord[];
  decisions: DecisionEvent[];
  target: Target;
  end?: { at: string; interrupted: boolean; reason?: string };
  lastAt: string;
}

function fold(events: readonly RunEvent[], start: RunStartEvent, opts: VerdictOptions): Folded {
  const at = new Date(start.at);
  const f: Folded = {
    checks: new Map(),
    overriddenToWarn: new Set(),
    stages: new Map(),
    stageStarts: new Map(),
    artifacts: [],
    actions: [],
    extras: {},
    observations: {},
    signoffs: [],
    decisions: [],
    target: { ...start.target },
    lastAt: start.at,
  };
  for (const e of events) {
    if (e.at > f.lastAt) f.lastAt = e.at;
    switch (e.type) {
      case 'check': {
        // The last result for an id wins (a stage may re-emit after a retry).
        const ruled = applyRules(e.check, opts, at);
        f.checks.set(e.check.id, ruled);
        // Lowered to warn by an override is a waiver, not evidence (policy holds when all are waived).
        if (effectiveOnFail(ruled) === 'warn' && effectiveOnFail(e.check) !== 'warn') f.overriddenToWarn.add(e.check.id);
        else f.overriddenToWarn.delete(e.check.id);
        break;
      }
      case 'stage.start':
        f.stageStarts.set(e.stage, e.at);
        break;
      case 'stage.end':
        f.stages.set(e.stage.name, { ...e.stage, ...(f.stageStarts.has(e.stage.name) ? { startedAt: f.stageStarts.get(e.stage.name) } : {}) });
        break;
      case 'observation':
        if (e.key === 'observedVersion') f.target.observedVersion = String(e.value);
        f.observations[e.key] = e.value;
        break;
      case 'signoff':
        f.signoffs.push({ what: e.signoff.what, by: e.signoff.by, at: e.at, ...(e.signoff.note ? { note: e.signoff.note } : {}) });
        break;
      case 'decision':
        f.decisions.push(e);
        break;
      case 'artifact':
        f.artifacts.push(e.artifact);
        break;
      case 'extra':
        f.extras[e.key] = e.value;
        break;
      case 'action':
        f.actions.push(e.action);
        break;
      case 'run.end':
        f.end = { at: e.at, interrupted: e.interrupted, ...(e.reason ? { reason: e.reason } : {}) };
        break;
      default:
        break;
    }
  }
  return f;
}

/** The planned stages in plan order (one that never ended — crash, kill — is interrupted), then any unplanned one. */
function stageListOf(start: RunStartEvent, f: Folded): StageSummary[] {
  const list: StageSummary[] = start.plan.map(
    (name) =>
      f.stages.get(name) ?? {
        name,
        status: 'interrupted',
        durationMs: 0,
        message: 'stage did not finish',
        ...(f.stageStarts.has(name) ? { startedAt: f.stageStarts.get(name) } : {}),
      },
  );
  for (const s of f.stages.values()) if (!start.plan.includes(s.name)) list.push(s);
  return list;
}

/** A person's last decision, beside the machine's verdict (which it replaces). */
function decisionOf(decisions: readonly DecisionEvent[], machineVerdict: Verdict): NonNullable<VerdictReport['decision']> | undefined {
  const last = decisions.at(-1);
  if (!last) return undefined;
  return {
    schemaVersion: 1 as const,
    verdict: last.decision.verdict,
    machineVerdict,
    machineVerdictAtDecision: last.decision.machineVerdict,
    by: last.decision.by,
    at: last.at,
    reason: last.decision.reason,
    override: last.decision.override,
    source: last.decision.source,
    previous: decisions.length - 1,
  };
}

export function buildVerdict(events: readonly RunEvent[], opts: VerdictOptions): VerdictReport {
  const start = events.find((e): e is RunStartEvent => e.type === 'run.start');
  if (!start) throw new Error('event log has no run.start event');
  const f = fold(events, start, opts);
  const stageList = stageListOf(start, f);
  const checkList = [...f.checks.values()];
  const interrupted = f.end ? f.end.interrupted : true;
  const interruptReason = f.end?.reason ?? (f.end ? undefined : 'the run did not finish (no run.end event)');
  const decided = policy(
    {
      checks: checkList,
      stages: stageList,
      required: start.required,
      ...(interrupted ? { interrupted: { reason: interruptReason ?? 'interrupted' } } : {}),
      ...(start.grep ? { grep: start.grep } : {}),
      overriddenToWarn: [...f.overriddenToWarn],
      signoffs: f.signoffs.map((x) => x.what),
    },
    opts,
  );

  const counts = Object.fromEntries(CHECK_STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>;
  for (const c of checkList) counts[c.status] += 1;
  const finishedAt = f.end?.at ?? f.lastAt;
  const decision = decisionOf(f.decisions, decided.verdict);
  const verdict = decision ? decision.verdict : decided.verdict;
  const checklist = evaluateChecklist(opts.checklist ?? [], { checks: checkList, stages: stageList, signoffs: f.signoffs, observations: f.observations });

  return {
    schemaVersion: SCHEMA_VERSION,
    runId: start.runId,
    verdict,
    partial: start.partial,
    reasons: decided.reasons,
    warnings: decided.warnings,
    stages: stageList,
    checks: checkList,
    target: f.target,
    startedAt: start.at,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(start.at)),
    ...(interrupted ? { interrupted: true } : {}),
    artifacts: f.artifacts,
    actions: f.actions,
    counts,
    extras: f.extras,
    ...(decision ? { decision } : {}),
    signoffs: f.signoffs,
    checklist,
    promotion: promotion(verdict, start.partial, checklist),
  };
}
