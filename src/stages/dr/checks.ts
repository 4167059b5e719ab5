import type { CheckResult, CheckStatus, Evidence, OnFail, Severity } from '../../core/types.ts';

// Every check the dr stage can emit, with its stable id and default weight.
// A restore that does not work means the deploy has no way back: rollback.

interface CheckDef {
  title: string;
  severity: Severity;
  onFail?: OnFail;
}

export const DR_CHECKS = {
  leftovers: { title: 'No scratch copies left by earlier DR runs', severity: 'minor', onFail: 'warn' },
  'backup-found': { title: 'A backup exists', severity: 'critical', onFail: 'rollback' },
  rpo: { title: 'RPO: backup age within target', severity: 'major', onFail: 'hold' },
  'archive-reads': { title: 'The backup archive reads', severity: 'critical', onFail: 'rollback' },
  restore: { title: 'The backup restores into a scratch copy', severity: 'critical', onFail: 'rollback' },
  'migration-version': { title: "Restored schema is at the release's migration version", severity: 'critical', onFail: 'rollback' },
  'row-counts': { title: 'Critical tables have their row counts', severity: 'critical', onFail: 'rollback' },
  checksums: { title: 'Checksums over configured columns match', severity: 'critical', onFail: 'rollback' },
  'app-on-restored-data': { title: 'The app works on the restored data', severity: 'critical', onFail: 'rollback' },
  rto: { title: 'RTO: restore to working app within target', severity: 'major', onFail: 'hold' },
  cleanup: { title: 'The scratch copy was removed', severity: 'minor', onFail: 'warn' },
} as const satisfies Record<string, CheckDef>;

export type DrCheckSlug = keyof typeof DR_CHECKS;

export interface CheckFacts {
  status: CheckStatus;
  message: string;
  durationMs?: number;
  evidence?: Evidence[];
  observed?: number | string | boolean | null;
  limit?: number | string | boolean | null;
  unit?: string;
  onFail?: OnFail;
}

export function drCheck(slug: DrCheckSlug, facts: CheckFacts): CheckResult {
  const def: CheckDef = DR_CHECKS[slug];
  const out: CheckResult = {
    id: `dr.${slug}`,
    stage: 'dr',
    title: def.title,
    severity: def.severity,
    status: facts.status,
    message: facts.message,
    durationMs: Math.round(facts.durationMs ?? 0),
    attempts: 1,
    evidence: facts.evidence ?? [],
    tags: ['@dr'],
  };
  const onFail = facts.onFail ?? def.onFail;
  if (onFail) out.onFail = onFail;
  if (facts.observed !== undefined) out.observed = facts.observed;
  if (facts.limit !== undefined) out.limit = facts.limit;
  if (facts.unit !== undefined) out.unit = facts.unit;
  return out;
}
