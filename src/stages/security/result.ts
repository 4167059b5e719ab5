import { definition } from './definitions.ts';
import type { CheckResult, CheckStatus, Evidence, OnFail, Severity } from '../../core/types.ts';

/** Tag that ties a check to the definition (file + line) SARIF results point at. */
export const DEF_TAG = 'def:';

export interface MakeCheck {
  /** Definition key in security/*.json, e.g. `tls.chain`. */
  def: string;
  /** Full id after `security.`, e.g. `tls.base.chain`. */
  slug: string;
  status: CheckStatus;
  message: string;
  /** The URL the finding is about (goes into the SARIF message). */
  url?: string;
  title?: string;
  severity?: Severity;
  onFail?: OnFail;
  evidence?: Evidence[];
  startedAt: number;
  /** Requests the check sent (evidence only: the check itself ran once). */
  attempts?: number;
  observed?: CheckResult['observed'];
  limit?: CheckResult['limit'];
  unit?: string;
  tags?: string[];
}

export function makeCheck(m: MakeCheck): CheckResult {
  const d = definition(m.def);
  const onFail = m.onFail ?? d.onFail;
  return {
    id: `security.${m.slug}`,
    stage: 'security',
    title: m.title ?? d.title,
    severity: m.severity ?? d.severity,
    ...(onFail ? { onFail } : {}),
    status: m.status,
    message: m.message,
    durationMs: Math.max(0, Date.now() - m.startedAt),
    // `attempts` counts runs of a check (retries, flaky); probes sent are evidence.
    attempts: 1,
    evidence: [
      ...(m.url ? [{ kind: 'link' as const, label: 'target', url: m.url }] : []),
      ...(m.attempts !== undefined && m.attempts > 1 ? [{ kind: 'text' as const, label: 'requests sent', text: String(m.attempts) }] : []),
      ...(m.evidence ?? []),
    ],
    tags: ['security', `${DEF_TAG}${m.def}`, ...(m.tags ?? [])],
    ...(m.observed !== undefined ? { observed: m.observed } : {}),
    ...(m.limit !== undefined ? { limit: m.limit } : {}),
    ...(m.unit ? { unit: m.unit } : {}),
  };
}

/** The definition key a check was made from (undefined for checks not made here). */
export function defKeyOf(check: CheckResult): string | undefined {
  return check.tags?.find((t) => t.startsWith(DEF_TAG))?.slice(DEF_TAG.length);
}

/** The target URL recorded on a check. */
export function urlOf(check: CheckResult): string | undefined {
  return check.evidence.find((e) => e.kind === 'link' && e.label === 'target')?.url;
}
