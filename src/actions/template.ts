import type { VerdictReport } from '../core/types.ts';

// Placeholders an action may use in its command, inputs or URLs:
// {deployId} {environment} {verdict} {version} {previousVersion} {runId} {runDir} {baseUrl}

export type TemplateVars = Record<string, string>;

export function templateVars(report: VerdictReport, extra: { deployId: string; previousVersion?: string; runDir: string }): TemplateVars {
  return {
    deployId: extra.deployId,
    environment: report.target.environment,
    verdict: report.verdict,
    version: report.target.observedVersion ?? report.target.expectedVersion ?? '',
    previousVersion: extra.previousVersion ?? '',
    runId: report.runId,
    runDir: extra.runDir,
    baseUrl: report.target.baseUrl,
  };
}

/** Unknown placeholders are left as they are, so a typo shows up in the record. */
export function fill(text: string, vars: TemplateVars): string {
  return text.replace(/\{([A-Za-z]+)\}/g, (m, key: string) => (key in vars ? (vars[key] as string) : m));
}

/** The same values as PDV_* env vars for command actions. */
export function templateEnv(vars: TemplateVars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) out[`PDV_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`] = v;
  return out;
}
