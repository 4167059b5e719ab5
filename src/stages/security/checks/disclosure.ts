import type { CheckResult } from '../../../core/types.ts';
import { makeCheck } from '../result.ts';
import type { SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';

// Response headers that give away the software and its version, or debug
// channels (matched in checks/answer-watch.ts). Reported (minor, warn): they
// help an attacker pick an exploit, but a deploy is not rolled back for a banner.

export async function disclosureCheck(run: SecurityRun, siteName: string, baseUrl: string): Promise<CheckResult> {
  const startedAt = Date.now();
  const origin = new URL(baseUrl).origin;
  const seen = [...new Set(run.debug.leaks.filter((l) => l.origin === origin).map((l) => l.leak))];
  const meta = { def: 'disclosure.headers', slug: `disclosure.${siteName}.headers`, url: baseUrl, startedAt };
  if (!run.debug.answers.has(origin)) return makeCheck({ ...meta, status: 'skipped', message: `no answer from ${origin} to look at` });
  if (seen.length) return makeCheck({ ...meta, status: 'failed', message: `${baseUrl} names its software: ${seen.join('; ')}` });
  // A gate's refusals carry the gate's headers, not the application's.
  const gate = await siteGate(run, baseUrl);
  if (gate.refusal) return makeCheck({ ...meta, status: 'skipped', message: `no version header seen, but ${gate.refusal}` });
  return seen.length
    ? makeCheck({ ...meta, status: 'failed', message: `${baseUrl} names its software: ${seen.join('; ')}` })
    : makeCheck({ ...meta, status: 'passed', message: `no version, framework or debug header in ${run.debug.answers.get(origin)} answers from ${origin}` });
}
