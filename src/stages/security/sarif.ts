import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './definitions.ts';
import type { CheckResult, VerdictReport } from '../../core/types.ts';
import { buildSarif } from './sarif-builder.ts';

// security.sarif in the run folder: the security checks as SARIF 2.1.0 for
// GitHub code scanning (`github/codeql-action/upload-sarif`). Rendered by the
// reporters from the redacted report (the stage never writes it).

export const SARIF_FILE = 'security.sarif';

let version: string | undefined;
function pdvVersion(): string {
  if (version) return version;
  try {
    version = String((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0');
  } catch {
    version = '0.0.0';
  }
  return version;
}

/** SARIF text for the security checks of a run (pure apart from reading pdv's version once). */
export function buildSecuritySarif(checks: CheckResult[], category?: string): string {
  return JSON.stringify(buildSarif(checks, { toolVersion: pdvVersion(), ...(category ? { category } : {}) }), null, 2) + '\n';
}

/** The file part of the security stage's report: nothing for runs without security checks. */
export function renderSecuritySarif(report: VerdictReport): string | undefined {
  const checks = report.checks.filter((c) => c.stage === 'security');
  if (checks.length === 0) return undefined;
  return buildSecuritySarif(report.checks, `pdv/${report.target.environment}`);
}
