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

export function buildVerdict(events: readonly RunEvent[], opts: VerdictOptions): VerdictReport {
  const start = events.find((e): e is RunStartEvent => e.type === 'run.start');
  if (!start) throw new Error('event log has no run.start event');
  const at = new Date(start.at);

  const checks = new Map<string, CheckResult>();
  const overriddenToWarn = new Set<string>();
  const stages = new Map<string, StageSummary>();
  const stageStarts = new Map<string, string>();
  const artifacts: Artifact[] = [];
  const actions: ActionRecord[] = [];
  const extras: Record<string, unknown> = {};
  const observations: Record<string, string | number | boolean> = {};
  const signoffs: SignoffRecord[] = [];
  const decisions: DecisionEvent[] = [];
  const target: Target = { ...start.target };
  let end: { at: string; interrupted: boolean; reason?: string } | undefined;
  let lastAt = start.at;

  for (const e of events) {
    if (e.at > lastAt) lastAt = e.at;
    switch (e.type) {
      case 'check': {
        // The last result for an id wins (a stage may re-emit after a retry).
        const ruled = applyRules(e.check, opts, at);
        checks.set(e.check.id, ruled);
        // Lowered to warn by an override is a waiver, not evidence (policy holds when all are waived).
        if (effectiveOnFail(ruled) === 'warn' && effectiveOnFail(e.check) !== 'warn') overriddenToWarn.add(e.check.id);
        else overriddenToWarn.delete(e.check.id);
        break;
      }
      case 'stage.start':
        stageStarts.set(e.stage, e.at);
        break;
      case 'stage.end':
        stages.set(e.stage.name, { ...e.stage, ...(stageStarts.has(e.stage.name) ? { startedAt: stageStarts.get(e.stage.name) } : {}) });
        break;
      case 'observation':
        if (e.key === 'observedVersion') target.observedVersion = String(e.value);
        observations[e.key] = e.value;
        break;
      case 'signoff':
        signoffs.push({ what: e.signoff.what, by: e.signoff.by, at: e.at, ...(e.signoff.note ? { note: e.signoff.note } : {}) });
        break;
      case 'decision':
        decisions.push(e);
        break;
      case 'artifact':
        artifacts.push(e.artifact);
        break;
      case 'extra':
        extras[e.key] = e.value;
        break;
      case 'action':
        actions.push(e.action);
        break;
      case 'run.end':
        end = { at: e.at, interrupted: e.interrupted, ...(e.reason ? { reason: e.reason } : {}) };
        break;
      default:
        break;
    }
  }

  // A planned stage that never ended (crash, kill) is reported as interrupted.
  const stageList: StageSummary[] = start.plan.map(
    (name) =>
      stages.get(name) ?? {
        name,
        status: 'interrupted',
        durationMs: 0,
        message: 'stage did not finish',
        ...(stageStarts.has(name) ? { startedAt: stageStarts.get(name) } : {}),
      },
  );
  for (const s of stages.values()) if (!start.plan.includes(s.name)) stageList.push(s);

  const checkList = [...checks.values()];
  const interrupted = end ? end.interrupted : true;
  const interruptReason = end?.reason ?? (end ? undefined : 'the run did not finish (no run.end event)');
  const decided = policy(
    {
      checks: checkList,
      stages: stageList,
      required: start.required,
      ...(interrupted ? { interrupted: { reason: interruptReason ?? 'interrupted' } } : {}),
      ...(start.grep ? { grep: start.grep } : {}),
      overriddenToWarn: [...overriddenToWarn],
      signoffs: signoffs.map((x) => x.what),
    },
    opts,
  );

  const counts = Object.fromEntries(CHECK_STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>;
  for (const c of checkList) counts[c.status] += 1;
  const finishedAt = end?.at ?? lastAt;
  // A person's decision replaces the verdict; the machine's stays beside it.
  const last = decisions.at(-1);
  const verdict = last ? last.decision.verdict : decided.verdict;
  const checklist = evaluateChecklist(opts.checklist ?? [], { checks: checkList, stages: stageList, signoffs, observations });

  return {
    schemaVersion: SCHEMA_VERSION,
    runId: start.runId,
    verdict,
    partial: start.partial,
    reasons: decided.reasons,
    warnings: decided.warnings,
    stages: stageList,
    checks: checkList,
    target,
    startedAt: start.at,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(start.at)),
    ...(interrupted ? { interrupted: true } : {}),
    artifacts,
    actions,
    counts,
    extras,
    ...(last
      ? {
          decision: {
            schemaVersion: 1 as const,
            verdict: last.decision.verdict,
            machineVerdict: decided.verdict,
            machineVerdictAtDecision: last.decision.machineVerdict,
            by: last.decision.by,
            at: last.at,
            reason: last.decision.reason,
            override: last.decision.override,
            source: last.decision.source,
            previous: decisions.length - 1,
          },
        }
      : {}),
    signoffs,
    checklist,
    promotion: promotion(verdict, start.partial, checklist),
  };
}
