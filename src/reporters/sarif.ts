import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../security/definitions.ts';
import { writeFileAtomic } from '../core/fs.ts';
import type { CheckResult, VerdictReport } from '../core/types.ts';
import { buildSarif } from '../stages/security/sarif-builder.ts';
import type { Reporter } from './types.ts';

// security.sarif in the run folder: the security checks as SARIF 2.1.0 for
// GitHub code scanning (`github/codeql-action/upload-sarif`).

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

/** Written by the security stage at its end (checks must already be redacted). */
export async function writeSecuritySarif(runDir: string, checks: CheckResult[], category?: string): Promise<string> {
  await writeFileAtomic(join(runDir, SARIF_FILE), buildSecuritySarif(checks, category));
  return SARIF_FILE;
}

/** Re-renders security.sarif from verdict.json (`pdv report`, `pdv merge`); writes nothing for runs without security checks. */
export function sarifReporter(): Reporter {
  return {
    name: 'sarif',
    async write(report: VerdictReport, ctx) {
      if (!report.checks.some((c) => c.stage === 'security')) return [];
      return [await ctx.writeText(SARIF_FILE, buildSecuritySarif(report.checks, `pdv/${report.target.environment}`))];
    },
  };
}
